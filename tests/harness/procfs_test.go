package harness

import (
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// The /proc readers are tried on the test process itself, whose sockets,
// epoll instances and CPU use the test controls.

func TestOpenSocketsCountsANewSocket(t *testing.T) {
	pid := os.Getpid()
	before, err := OpenSockets(pid)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	during, _ := OpenSockets(pid)
	ln.Close()
	after, _ := OpenSockets(pid)
	if during != before+1 || after != before {
		t.Errorf("sockets: %d before, %d with a listener open, %d after closing it; want %d, %d, %d", before, during, after, before, before+1, before)
	}
}

func TestEpollInstancesShowsInterestList(t *testing.T) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(epfd)
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(p[0])}
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, p[0], &ev); err != nil {
		t.Fatal(err)
	}

	instances, err := EpollInstances(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	watches, ok := instances[epfd]
	if !ok {
		t.Fatalf("epoll descriptor %d not found among %v", epfd, instances)
	}
	want := EpollWatch{FD: p[0], Events: syscall.EPOLLIN | syscall.EPOLLERR | syscall.EPOLLHUP, Data: uint64(p[0])}
	if len(watches) != 1 || watches[0] != want {
		t.Errorf("interest list = %+v, want [%+v]", watches, want)
	}
}

func TestMemoryThreadsAndCPUTime(t *testing.T) {
	pid := os.Getpid()
	if rss, err := ResidentMemory(pid); err != nil || rss < 1<<20 {
		t.Errorf("ResidentMemory = %d, %v; want at least 1 MiB", rss, err)
	}
	if n, err := Threads(pid); err != nil || n < 1 {
		t.Errorf("Threads = %d, %v; want at least 1", n, err)
	}
	before, err := CPUTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	// Burn CPU until the clock has moved by a few of its 10 ms ticks. On a
	// busy machine that takes longer than 50 ms of wall time, hence the loop.
	for deadline := time.Now().Add(10 * time.Second); ; {
		for start := time.Now(); time.Since(start) < 20*time.Millisecond; {
		}
		after, err := CPUTime(pid)
		if err == nil && after-before >= 50*time.Millisecond {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("CPUTime went from %v to %v (%v) over 10s of busy work", before, after, err)
		}
	}
}

func TestOnCPUTellsBusyFromSleeping(t *testing.T) {
	sleeper := exec.Command("sleep", "30")
	spinner := exec.Command("sh", "-c", "while :; do :; done")
	for _, cmd := range []*exec.Cmd{sleeper, spinner} {
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer cmd.Wait()
		defer cmd.Process.Kill()
	}
	// The spinner is seen running, and the sleeper asleep, at least once, on
	// however busy a machine; once asleep, the sleeper stays so.
	waitFor := func(what string, pid int, want bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			running, err := OnCPU(pid)
			if err != nil {
				t.Fatal(err)
			}
			if running == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: OnCPU never returned %v", what, want)
			}
			time.Sleep(10 * time.Millisecond) // polling /proc: no event to wait on
		}
	}
	waitFor("a shell spinning in a loop", spinner.Process.Pid, true)
	waitFor("sleep 30", sleeper.Process.Pid, false)
	for range 10 {
		if running, err := OnCPU(sleeper.Process.Pid); err != nil || running {
			t.Fatalf("sleep 30 seen running (%v)", err)
		}
	}
}

// TestUnreadSeesAPipeTheHarnessHasNotRead holds the transcript's lock, so
// that the reader, which records each line, stops at the first: what the
// program printed after it stays in the pipe.
func TestUnreadSeesAPipeTheHarnessHasNotRead(t *testing.T) {
	tr := NewTranscript()
	// The program prints once a line reaches its stdin, written below
	// straight to the pipe, as WriteStdin would record it.
	p, err := Start("/bin/sh", Options{Args: []string{"-c", "read go; seq 20000; sleep 30"}, Transcript: tr})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	tr.mu.Lock()
	locked := true
	defer func() {
		if locked {
			tr.mu.Unlock()
		}
	}()
	if _, err := p.stdin.WriteString("go\n"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for p.Unread() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("Unread stayed 0 while the harness could not read")
		}
		time.Sleep(10 * time.Millisecond) // polling the pipe: no event to wait on
	}
	tr.mu.Unlock()
	locked = false
	if _, err := p.WaitLine(10*time.Second, func(s string) bool { return s == "20000" }); err != nil {
		t.Fatal(err)
	}
	if n := p.Unread(); n != 0 {
		t.Errorf("once everything is read, Unread = %d, want 0", n)
	}
}

package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// sh starts a shell script as the program under test.
func sh(t *testing.T, script string) *Process {
	t.Helper()
	p, err := Start("/bin/sh", Options{Args: []string{"-c", script}, Transcript: NewTranscript()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

// waitGone waits until pid has ended.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(Scaled(10 * time.Second))
	for Running(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d is still alive: an orphan was left behind", pid)
		}
		time.Sleep(10 * time.Millisecond) // polling /proc: there is no event to wait on
	}
}

// childPID reads the "child N" line a script prints.
func childPID(t *testing.T, p *Process) int {
	t.Helper()
	line, err := p.WaitLine(10*time.Second, func(s string) bool { return strings.HasPrefix(s, "child ") })
	if err != nil {
		t.Fatalf("no child line: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimPrefix(line, "child "))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func TestStopKillsForkedChildren(t *testing.T) {
	p := sh(t, `sleep 1000 & echo child $!; wait`)
	child := childPID(t, p)
	if !Running(child) {
		t.Fatalf("the child %d is not running to begin with", child)
	}
	p.Stop()
	waitGone(t, child)
	if exit := p.Exited(); exit == nil {
		t.Fatal("Stop returned before the program ended")
	}
}

func TestStopKillsProgramIgnoringSIGTERM(t *testing.T) {
	p := sh(t, `trap '' TERM; sleep 1000 & echo child $!; echo ready; while :; do wait; done`)
	child := childPID(t, p)
	if _, err := p.WaitLine(10*time.Second, func(s string) bool { return s == "ready" }); err != nil {
		t.Fatal(err)
	}
	pid := p.Pid()
	p.Stop()
	waitGone(t, pid)
	waitGone(t, child)
	if exit := p.Exited(); exit == nil || exit.Signal != syscall.SIGKILL {
		t.Fatalf("the program ended with %v; want it killed by SIGKILL after ignoring SIGTERM", exit)
	}
	if !noted(p, stopNote) {
		t.Errorf("the transcript does not say that the check stopped the program:\n%v", p.tr.Events())
	}
}

// stopNote is the start of the note Stop leaves when it stops a program.
const stopNote = "the check stops the program"

// noted reports whether p's transcript holds a note that starts with text.
func noted(p *Process, text string) bool {
	for _, e := range p.tr.Events() {
		if e.Dir == Note && strings.HasPrefix(e.Text, text) {
			return true
		}
	}
	return false
}

// TestStopAfterExitSaysNothing checks that stopping a program that has
// ended on its own does not claim that the check stopped it, even while
// its end is not recorded yet: here a child it forked holds its stdout open.
func TestStopAfterExitSaysNothing(t *testing.T) {
	p := sh(t, `sleep 1000 & echo child $!; exit 3`)
	child := childPID(t, p)
	waitGone(t, p.Pid())
	p.Stop()
	waitGone(t, child)
	if noted(p, stopNote) {
		t.Errorf("the transcript says that the check stopped a program that had ended:\n%v", p.tr.Events())
	}
	if exit := p.Exited(); exit == nil || exit.Code != 3 {
		t.Errorf("the program ended with %v, want exit status 3", exit)
	}
}

func TestStopKillsChildrenLeftAfterProgramExits(t *testing.T) {
	// The program exits at once, leaving a child in its process group that
	// still holds its stdout open.
	p := sh(t, `sleep 1000 & echo child $!; exit 0`)
	child := childPID(t, p)
	if _, err := p.WaitExit(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	p.Stop()
	waitGone(t, child)
}

func TestOutputCapturedInFullAtImmediateExit(t *testing.T) {
	p := sh(t, `i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done; echo oops >&2; printf 'no newline'; exit 7`)
	exit, err := p.WaitExit(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if exit.Code != 7 {
		t.Errorf("exit = %v, want exit status 7", exit)
	}
	out := p.Output(Stdout)
	if len(out) != 2001 || out[0] != "line 0" || out[1999] != "line 1999" || out[2000] != "no newline" {
		t.Errorf("stdout has %d lines (first %q, last %q); want 2001, ending with the unterminated one", len(out), first(out), last(out))
	}
	if got := p.Output(Stderr); len(got) != 1 || got[0] != "oops" {
		t.Errorf("stderr = %q, want [oops]", got)
	}
	// A wait for a line that never comes reports the exit, not a timeout.
	var exited *ExitedError
	if _, err := p.WaitLine(10*time.Second, func(s string) bool { return s == "never" }); !errors.As(err, &exited) {
		t.Errorf("WaitLine after exit = %v, want an *ExitedError", err)
	}
}

func TestWaitLineTimesOut(t *testing.T) {
	p := sh(t, `echo one; exec sleep 1000`)
	if _, err := p.WaitLine(50*time.Millisecond, func(s string) bool { return s == "two" }); !errors.Is(err, ErrTimeout) {
		t.Errorf("err = %v, want ErrTimeout", err)
	}
	// The cursor did not move past "one" for good: a later wait sees it.
	if line, err := p.NextLine(time.Second); err != nil || line != "one" {
		t.Errorf("NextLine = %q, %v; want \"one\"", line, err)
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// TestStartServerRetriesStolenPort gives the first attempt a port that
// someone else holds, as if it had been taken between choosing and binding.
// The Stage 1 reference server must fail to bind it, and StartServer must
// start it again on another port.
func TestStartServerRetriesStolenPort(t *testing.T) {
	bin, err := Build(context.Background(), "../../solutions/stage1-server", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	thief, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer thief.Close()
	stolen := thief.Addr().(*net.TCPAddr).Port

	calls := 0
	freePort = func() (int, error) {
		calls++
		if calls == 1 {
			return stolen, nil
		}
		return FreePort()
	}
	defer func() { freePort = FreePort }()

	tr := NewTranscript()
	p, port, err := StartServer(bin, Options{Transcript: tr}, func(p *Process, port int) error {
		_, err := p.NextLine(10 * time.Second)
		return err
	})
	if err != nil {
		t.Fatalf("StartServer: %v", err)
	}
	defer p.Stop()
	if port == stolen || calls != 2 {
		t.Fatalf("started on port %d after %d tries; want another port than %d, on the second try", port, calls, stolen)
	}
	if want := fmt.Sprintf("[INFO] Server listening on port %d", port); p.Output(Stdout)[0] != want {
		t.Errorf("first line = %q, want %q", p.Output(Stdout)[0], want)
	}
	c, err := Dial(fmt.Sprintf("127.0.0.1:%d", port), "client", tr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
}

func TestBuildErrorCarriesCompilerOutput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module broken\n\ngo 1.26.0\n")
	write("main.go", "package main\n\nfunc main() {\n\tundefinedThing()\n}\n")
	_, err := Build(context.Background(), dir, t.TempDir())
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("Build = %v, want a *BuildError", err)
	}
	if !strings.Contains(be.Output, "main.go:4:2: undefined: undefinedThing") {
		t.Errorf("the output does not name the file, line and error:\n%s", be.Output)
	}
}

func TestConnHelpers(t *testing.T) {
	tr := NewTranscript()
	ln, err := Listen(tr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := Dial(fmt.Sprintf("127.0.0.1:%d", ln.Port()), "client", tr)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept(5*time.Second, "server")
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()

	client.SendPieces(time.Millisecond, "he", "llo\nwor", "ld\n")
	for _, want := range []string{"hello\n", "world\n"} {
		if got, err := server.ReadLine(5 * time.Second); got != want || err != nil {
			t.Errorf("ReadLine = %q, %v; want %q", got, err, want)
		}
	}
	if got, _ := server.Quiet(20 * time.Millisecond); got != "" {
		t.Errorf("Quiet = %q, want nothing", got)
	}
	client.Send("tail")
	client.CloseWrite()
	if got, err := server.ReadToEOF(5 * time.Second); got != "tail" || err != nil {
		t.Errorf("ReadToEOF = %q, %v; want \"tail\" and end of file", got, err)
	}
	server.Send("still open\n") // the half-closed client can still read
	if got, err := client.ReadLine(5 * time.Second); got != "still open\n" || err != nil {
		t.Errorf("after half-close ReadLine = %q, %v", got, err)
	}
	server.Reset()
	if _, err := client.ReadToEOF(5 * time.Second); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("after a reset the read error is %v, want ECONNRESET", err)
	}
	if _, err := client.ReadLine(50 * time.Millisecond); err == nil {
		t.Error("ReadLine on a reset connection succeeded")
	}
	if len(tr.Events()) == 0 {
		t.Error("nothing was recorded in the transcript")
	}
}

func TestTranscriptCollapsesRepeats(t *testing.T) {
	tr := NewTranscript()
	for range 1000 {
		tr.Add(Stdout, Out, "[DEBUG] Epoll wait")
	}
	tr.Add(Stdout, Out, "[INFO] Client connected to server")
	tr.Add(Stdout, Out, "[DEBUG] Epoll wait")
	ev := tr.Events()
	if len(ev) != 3 || ev[0].Count != 1000 || ev[1].Count != 1 || ev[2].Count != 1 {
		t.Errorf("events = %+v; want the 1,000 repeats as one event, then two more", ev)
	}
}

func TestTranscriptKeepsTheStartOfLargeEvents(t *testing.T) {
	tr := NewTranscript()
	big := strings.Repeat("x", 10<<20)
	tr.Add("client 1", In, big)
	e := tr.Events()[0]
	if len(e.Text) != keep || e.Size != len(big) {
		t.Errorf("kept %d bytes of %d, size %d; want the first %d and the size", len(e.Text), len(big), e.Size, keep)
	}
}

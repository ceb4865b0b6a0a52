// Command c10k runs the C10K experiment of Stage 3 in one go: the same
// loads against three servers, side by side, on this machine. It prints
// every command as it runs it, each run's summary line, and at the end a
// Markdown table and mermaid charts ready to paste. The "C10K" section of
// stage3-epoll/README.md shows what it printed on one machine.
//
//	go run ./tests/cmd/c10k | tee c10k.txt
//
// It builds the Stage 1 server, the goroutine-per-client server of
// solutions/experiments, the Stage 3 server and the load generator
// (tests/cmd/loadgen). Then for each run it starts a fresh server on a
// port the kernel chooses, with -quiet where the server has it, runs
// loadgen against it with -pid, and stops it. The runs, in this order:
//
//	load                                  servers
//	1 connection, closed loop             stage1, goroutine, epoll
//	100 connections, closed loop          stage1, goroutine, epoll
//	1,000 connections, closed loop        goroutine, epoll
//	100 connections, pipelined 16 deep    goroutine, epoll
//	10,000 idle connections (-idle)       goroutine, epoll
//
// The Stage 1 server serves one client at a time. At 100 connections
// loadgen waits in vain for a first reply on the second one, counts that
// and every connection after it as errors, and measures the one client
// served: that failure is what the run is there to show. At 1,000 it
// would fail the same way, so that run is left out. The Stage 1 server
// has no -quiet, so it logs every line it receives, to a pipe that c10k
// reads and throws away.
//
// Flags:
//
//	-duration D  how long each run measures, or holds its idle connections (default 10s)
//	-idle N      idle connections in the memory runs (default 10000)
//	-epoll DIR   the Stage 3 server to measure (default solutions/stage3-epoll;
//	             -epoll stage3-epoll measures yours)
//
// With -idle 10000 the server and loadgen each hold more than 10,000 open
// descriptors. A Go program raises its own soft limit on descriptors to
// the hard limit when it starts, so the hard limit (ulimit -Hn) is the one
// that counts; c10k checks it before the first run and says how to raise
// it. The connections also need 10,000 local ports, which the default
// range (/proc/sys/net/ipv4/ip_local_port_range) has.
//
// The exit status is 0 when every run gave a summary line and no run had
// an error it was not expected to have, and 1 otherwise.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"workbook/tests/harness"
)

// A server is one of the programs the experiment compares.
type server struct {
	label string // its name in the summary lines
	dir   string // its main package, from the repository root
	// stage3Flags: it has -quiet and -max-clients, as the Stage 3 server
	// and the goroutine server do; the Stage 1 server has neither.
	stage3Flags bool
	// oneAtATime: it serves one client at a time, so a run with more than
	// one connection is expected to have errors.
	oneAtATime bool
	bin        string // the built program
}

// A load is what loadgen is asked to do, and which servers get it.
type load struct {
	conns   int
	mode    string   // loadgen's -mode: closed, pipelined (16 deep) or idle
	servers []string // their labels
}

// args returns loadgen's flags for l, less -addr, -pid and -label.
func (l load) args(duration time.Duration) []string {
	args := []string{"-conns", strconv.Itoa(l.conns)}
	switch l.mode {
	case "pipelined":
		args = append(args, "-mode", "pipelined", "-depth", "16")
	case "idle":
		args = append(args, "-mode", "idle")
	}
	return append(args, "-duration", duration.String())
}

func main() {
	duration := flag.Duration("duration", 10*time.Second, "how long each run measures, or holds its idle connections")
	idle := flag.Int("idle", 10000, "idle `connections` in the memory runs")
	epollDir := flag.String("epoll", "solutions/stage3-epoll", "the Stage 3 server to measure: its `directory`")
	flag.Parse()
	if flag.NArg() > 0 || *duration <= 0 || *idle < 1 {
		flag.Usage()
		os.Exit(2)
	}
	ok, err := experiment(*duration, *idle, *epollDir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "c10k: %v\n", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// experiment builds the programs, makes every run, and prints the results.
// ok is false when a run went wrong in a way it should not have.
func experiment(duration time.Duration, idle int, epollDir string) (ok bool, err error) {
	epollDir, err = filepath.Abs(epollDir)
	if err != nil {
		return false, err
	}
	root, err := repositoryRoot()
	if err != nil {
		return false, err
	}
	if err := checkDescriptors(idle + 100); err != nil {
		return false, err
	}
	servers := map[string]*server{
		"stage1":    {label: "stage1", dir: filepath.Join(root, "solutions", "stage1-server"), oneAtATime: true},
		"goroutine": {label: "goroutine", dir: filepath.Join(root, "solutions", "experiments", "goroutine-server"), stage3Flags: true},
		"epoll":     {label: "epoll", dir: epollDir, stage3Flags: true},
	}
	all := []string{"stage1", "goroutine", "epoll"}
	loads := []load{
		{1, "closed", all},
		{100, "closed", all},
		{1000, "closed", all[1:]},
		{100, "pipelined", all[1:]},
		{idle, "idle", all[1:]},
	}
	// Room for every idle client, should -idle be above the servers'
	// default -max-clients.
	maxClients := max(idle, 10000)

	printMachine()
	tmp, err := os.MkdirTemp("", "c10k")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	fmt.Println("Building the servers and loadgen...")
	for _, label := range all {
		s := servers[label]
		if s.bin, err = harness.Build(context.Background(), s.dir, tmp); err != nil {
			return false, err
		}
	}
	loadgen, err := harness.Build(context.Background(), filepath.Join(root, "tests", "cmd", "loadgen"), tmp)
	if err != nil {
		return false, err
	}
	summaries, idleSummaries, ok := measureAll(servers, loads, maxClients, loadgen, duration)
	if len(summaries) == 0 {
		return false, errors.New("no run gave a summary line")
	}
	return ok, printResults(loadgen, summaries, idleSummaries)
}

// measureAll makes every run of loads, each against a fresh server, and
// returns their summary lines, and those of the idle runs again. ok is
// false when a run went wrong in a way it should not have.
func measureAll(servers map[string]*server, loads []load, maxClients int, loadgen string, duration time.Duration) (summaries, idle []string, ok bool) {
	ok = true
	for _, l := range loads {
		for _, label := range l.servers {
			s := servers[label]
			fmt.Println()
			summary, runErr, err := measure(s, maxClients, loadgen, l.args(duration))
			if err != nil {
				fmt.Printf("c10k: %s, %d conns %s: %v\n", label, l.conns, l.mode, err)
				ok = false
				continue
			}
			fmt.Println(summary)
			switch {
			case runErr == nil:
			case s.oneAtATime && l.conns > 1:
				fmt.Printf("(As expected: %s serves one client at a time, so the others got no reply.)\n", label)
			default:
				fmt.Printf("c10k: %s had errors it should not have had; see loadgen's messages above\n", label)
				ok = false
			}
			summaries = append(summaries, summary)
			if l.mode == "idle" {
				idle = append(idle, summary)
			}
		}
	}
	return summaries, idle, ok
}

// printResults prints the table of every summary line, and the charts.
func printResults(loadgen string, summaries, idleSummaries []string) error {
	fmt.Println()
	fmt.Println("## Results")
	fmt.Println()
	if err := loadgenOutput(loadgen, summaries, "-table", "-"); err != nil {
		return err
	}
	for _, c := range []struct {
		lines  []string
		metric string
	}{
		{summaries, "cpu_us_per_req"},
		{summaries, "rps"},
		{idleSummaries, "rss_per_conn_b"},
	} {
		if len(c.lines) == 0 {
			continue
		}
		fmt.Println()
		fmt.Println("```mermaid")
		if err := loadgenOutput(loadgen, c.lines, "-chart", "-", "-metric", c.metric); err != nil {
			return err
		}
		fmt.Println("```")
	}
	return nil
}

// measure starts a fresh s, runs loadgen against it with args, and stops
// it. It returns loadgen's summary line, and runErr when loadgen said
// there were errors (exit status 1); err when there is no summary line.
func measure(s *server, maxClients int, loadgen string, args []string) (summary string, runErr, err error) {
	srv, port, err := start(s, maxClients)
	if err != nil {
		return "", nil, err
	}
	defer srv.stop()

	args = append([]string{"-addr", fmt.Sprintf("127.0.0.1:%d", port), "-pid", strconv.Itoa(srv.cmd.Process.Pid), "-label", s.label}, args...)
	fmt.Printf("$ loadgen %s\n", strings.Join(args, " "))
	cmd := exec.Command(loadgen, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr // the progress line and the first errors
	runErr = cmd.Run()
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		return "", nil, runErr
	}
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, "loadgen ") {
			summary = strings.TrimSpace(line)
		}
	}
	if summary == "" {
		return "", nil, fmt.Errorf("loadgen ended (%v) without a summary line", runErr)
	}
	return summary, runErr, nil
}

// A running is a server that start started.
type running struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it has ended
}

var listening = regexp.MustCompile(`^\[INFO\] Server listening on port (\d+)$`)

// start starts s on a port the kernel chooses, waits for its listening
// line, and returns it with that port. Its stdout is read and thrown away
// from then on; its stderr is c10k's.
func start(s *server, maxClients int) (*running, int, error) {
	args := []string{"-port", "0"}
	if s.stage3Flags {
		args = append(args, "-quiet")
		if maxClients != 10000 { // not the default
			args = append(args, "-max-clients", strconv.Itoa(maxClients))
		}
	}
	fmt.Printf("$ %s %s &\n", filepath.Base(s.bin), strings.Join(args, " "))
	r, w, err := os.Pipe()
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Stdout = w
	cmd.Stderr = os.Stderr
	err = cmd.Start()
	w.Close() // the server has its own copy
	if err != nil {
		r.Close()
		return nil, 0, err
	}
	srv := &running{cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(srv.done)
	}()

	first := make(chan string, 1)
	go func() {
		defer r.Close()
		br := bufio.NewReader(r)
		line, _ := br.ReadString('\n')
		first <- strings.TrimSpace(line)
		br.WriteTo(discard{}) // the rest, until the server ends
	}()
	select {
	case line := <-first:
		if m := listening.FindStringSubmatch(line); m != nil {
			port, _ := strconv.Atoi(m[1])
			return srv, port, nil
		}
		srv.stop()
		return nil, 0, fmt.Errorf("%s printed %q, want its listening line", filepath.Base(s.bin), line)
	case <-time.After(10 * time.Second):
		srv.stop()
		return nil, 0, fmt.Errorf("%s did not print its listening line within 10s", filepath.Base(s.bin))
	}
}

// stop ends the server: SIGTERM, and SIGKILL if it is still there 5
// seconds later. The Stage 1 server may have ended already, when its one
// client left.
func (r *running) stop() {
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
}

// discard is io.Discard for bufio.Reader.WriteTo.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// loadgenOutput runs loadgen with args and the summary lines on its
// stdin, for a table or a chart, and copies what it prints to stdout.
func loadgenOutput(loadgen string, summaries []string, args ...string) error {
	cmd := exec.Command(loadgen, args...)
	cmd.Stdin = strings.NewReader(strings.Join(summaries, "\n") + "\n")
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	return cmd.Run()
}

// checkDescriptors makes sure this process and the programs it starts may
// open need descriptors each.
func checkDescriptors(need int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return os.NewSyscallError("getrlimit", err)
	}
	if lim.Max < uint64(need) {
		return fmt.Errorf("the idle runs need %d open descriptors per process, and the hard limit is %d: "+
			"raise it (as root: prlimit --pid $$ --nofile=%d:%d, then run c10k from that shell), or pass a smaller -idle",
			need, lim.Max, need, need)
	}
	// Go raised this process's soft limit to the hard one when it started,
	// and gives the programs it starts the original soft limit back,
	// unless the program sets the limit itself: so set it, and they
	// inherit it. (They would raise it themselves anyway, being Go
	// programs; this keeps them from depending on that.)
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return os.NewSyscallError("setrlimit", err)
	}
	return nil
}

// printMachine prints what the figures depend on: the processor, the
// number of cores, the kernel, the Go version, the date, and how busy the
// machine is.
func printMachine() {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	fmt.Printf("Machine: %d cores, %s; Linux %s; %s; %s\n", runtime.NumCPU(), model,
		strings.TrimSpace(string(kernel)), runtime.Version(), time.Now().Format("2006-01-02"))
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			if load, err := strconv.ParseFloat(f[0], 64); err == nil && load > 0.5 {
				fmt.Printf("Note: the load average is %s: other programs are using the CPU, and the figures will be noisy.\n", f[0])
			}
		}
	}
}

// repositoryRoot returns the directory holding go.work, from the current
// directory up.
func repositoryRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run c10k inside the workbook's repository: no go.work found")
		}
		dir = parent
	}
}

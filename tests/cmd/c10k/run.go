package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

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
	// The server as it lies in c10k's build folder: label/program.
	name := filepath.Join(s.label, filepath.Base(s.bin))
	fmt.Printf("$ %s %s &\n", name, strings.Join(args, " "))
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
		return nil, 0, fmt.Errorf("%s printed %q, want its listening line", name, line)
	case <-time.After(10 * time.Second):
		srv.stop()
		return nil, 0, fmt.Errorf("%s did not print its listening line within 10s", name)
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

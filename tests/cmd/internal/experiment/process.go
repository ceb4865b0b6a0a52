package experiment

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A Process is a program that Start started.
type Process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when it has ended
}

// Start starts bin with args, waits for its first line on stdout, which
// must match listening, and returns the process with the port that the
// first group of listening captured. From then on the program's stdout is
// read and thrown away; its stderr is this program's. name is how the
// command line printed before it shows bin.
func Start(name, bin string, args []string, listening *regexp.Regexp) (*Process, int, error) {
	fmt.Printf("$ %s %s &\n", name, strings.Join(args, " "))
	r, w, err := os.Pipe()
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout = w
	cmd.Stderr = os.Stderr
	err = cmd.Start()
	w.Close() // the program has its own copy
	if err != nil {
		r.Close()
		return nil, 0, err
	}
	p := &Process{cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		close(p.done)
	}()

	first := make(chan string, 1)
	go func() {
		defer r.Close()
		br := bufio.NewReader(r)
		line, _ := br.ReadString('\n')
		first <- strings.TrimSpace(line)
		io.Copy(io.Discard, br) // the rest, until the program ends
	}()
	select {
	case line := <-first:
		if m := listening.FindStringSubmatch(line); m != nil {
			port, _ := strconv.Atoi(m[1])
			return p, port, nil
		}
		p.Stop()
		return nil, 0, fmt.Errorf("%s printed %q, want its listening line", name, line)
	case <-time.After(10 * time.Second):
		p.Stop()
		return nil, 0, fmt.Errorf("%s did not print its listening line within 10s", name)
	}
}

// Pid returns the process's ID.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Stop ends the process: SIGTERM, and SIGKILL if it is still there 5
// seconds later. It may have ended already (the Stage 1 server does, when
// its one client leaves).
func (p *Process) Stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
}

package harness

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options says how to start a program.
type Options struct {
	Args       []string    // command-line arguments
	Env        []string    // extra environment variables, "KEY=value"
	Transcript *Transcript // where to record output; nil records nothing
	// Name labels the program's output in the transcript ("server stdout"),
	// for a check that runs more than one program. Empty means just
	// "stdout" and "stderr".
	Name string
	// Wrap is a command put in front of the program, such as
	// {"prlimit", "--nofile=64", "--"}. It must exec the program in place,
	// so that the process started is the program itself.
	Wrap []string
}

// A Line is one line of a program's output, without its "\n".
type Line struct {
	Who  Who // Stdout or Stderr
	Text string
}

// An Exit is how a program ended.
type Exit struct {
	Code   int            // the exit status, or -1 when a signal ended it
	Signal syscall.Signal // the signal that ended it, if one did
}

func (e Exit) String() string {
	if e.Code < 0 {
		return "killed by signal " + e.Signal.String()
	}
	return fmt.Sprintf("exit status %d", e.Code)
}

// ErrTimeout is returned by a wait whose deadline passed first.
var ErrTimeout = errors.New("timed out")

// An ExitedError is returned by a wait for output when the program ended
// before printing it.
type ExitedError struct{ Exit Exit }

func (e *ExitedError) Error() string { return "the program ended (" + e.Exit.String() + ")" }

// A Process is a running program under test, in a process group of its own.
type Process struct {
	cmd   *exec.Cmd
	tr    *Transcript
	stdin *os.File
	pipes [2]*os.File // the ends of stdout and stderr that the harness reads

	mu      sync.Mutex
	lines   []Line
	cursor  int           // the stdout line that NextLine and WaitLine look at first
	exit    *Exit         // set once the program has ended and its output is read
	changed chan struct{} // closed, and replaced, whenever lines or exit change

	readers sync.WaitGroup
	done    chan struct{} // closed when exit is set
}

// Start starts the program at path bin.
func Start(bin string, opt Options) (*Process, error) {
	argv := append(append(append([]string(nil), opt.Wrap...), bin), opt.Args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), opt.Env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // its own group, so cleanup reaches its children too
		Pdeathsig: syscall.SIGKILL, // and it dies with the test if that is killed
	}
	var pipes [3][2]*os.File // stdin, stdout, stderr: read end, write end
	for i := range pipes {
		r, w, err := os.Pipe()
		if err != nil {
			for _, p := range pipes[:i] {
				p[0].Close()
				p[1].Close()
			}
			return nil, err
		}
		pipes[i] = [2]*os.File{r, w}
	}
	stdinR, stdinW := pipes[0][0], pipes[0][1]
	outR, outW := pipes[1][0], pipes[1][1]
	errR, errW := pipes[2][0], pipes[2][1]
	// The program writes straight into the pipes (no copying goroutine in
	// between), so a line is seen the moment it is written.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdinR, outW, errW
	err := cmd.Start()
	stdinR.Close()
	outW.Close()
	errW.Close()
	if err != nil {
		stdinW.Close()
		outR.Close()
		errR.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	shown := append([]string(nil), argv...)
	shown[len(opt.Wrap)] = filepath.Base(bin)
	opt.Transcript.Notef("started %s", strings.Join(shown, " "))
	p := &Process{
		cmd:     cmd,
		tr:      opt.Transcript,
		stdin:   stdinW,
		pipes:   [2]*os.File{outR, errR},
		changed: make(chan struct{}),
		done:    make(chan struct{}),
	}
	p.readers.Add(2)
	go p.read(outR, Stdout, label(opt.Name, Stdout))
	go p.read(errR, Stderr, label(opt.Name, Stderr))
	go p.wait()
	return p, nil
}

// Pid returns the program's process ID.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

func label(name string, who Who) Who {
	if name == "" {
		return who
	}
	return Who(name + " " + string(who))
}

// read collects the lines of one stream, recording them under label.
func (p *Process) read(r *os.File, who, label Who) {
	defer p.readers.Done()
	defer r.Close()
	br := bufio.NewReader(r)
	for {
		text, err := br.ReadString('\n')
		if text != "" {
			text = strings.TrimSuffix(text, "\n")
			p.tr.Add(label, Out, text)
			p.mu.Lock()
			p.lines = append(p.lines, Line{who, text})
			p.notifyLocked()
			p.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

func (p *Process) wait() {
	err := p.cmd.Wait()
	exit := Exit{Code: p.cmd.ProcessState.ExitCode()}
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		exit = Exit{Code: -1, Signal: ws.Signal()}
	} else if err != nil && exit.Code == 0 {
		exit.Code = -1
	}
	// Give the readers the output written just before the end. A child the
	// program forked may hold the pipes open; don't wait for it for ever.
	drained := make(chan struct{})
	go func() { p.readers.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(Scaled(2 * time.Second)):
	}
	p.tr.Add(Check, Note, "the program ended: "+exit.String())
	p.mu.Lock()
	p.exit = &exit
	p.notifyLocked()
	p.mu.Unlock()
	close(p.done)
}

func (p *Process) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// await calls check under the lock whenever something changes, until check
// reports done or the timeout passes.
func (p *Process) await(timeout time.Duration, check func() (done bool, err error)) error {
	deadline := time.NewTimer(Scaled(timeout))
	defer deadline.Stop()
	for {
		p.mu.Lock()
		done, err := check()
		changed := p.changed
		p.mu.Unlock()
		if done {
			return err
		}
		select {
		case <-changed:
		case <-deadline.C:
			return ErrTimeout
		}
	}
}

// WaitLine waits for a stdout line for which match is true, looking only at
// lines after the previous one returned by WaitLine or NextLine, and skips
// past it. It returns the line, an *ExitedError if the program ended first,
// or ErrTimeout. A wait that fails skips nothing.
func (p *Process) WaitLine(timeout time.Duration, match func(string) bool) (string, error) {
	var found string
	err := p.await(timeout, func() (bool, error) {
		for i := p.cursor; i < len(p.lines); i++ {
			if l := p.lines[i]; l.Who == Stdout && match(l.Text) {
				found = l.Text
				p.cursor = i + 1
				return true, nil
			}
		}
		if p.exit != nil {
			return true, &ExitedError{*p.exit}
		}
		return false, nil
	})
	return found, err
}

// NextLine waits for the next stdout line and returns it.
func (p *Process) NextLine(timeout time.Duration) (string, error) {
	return p.WaitLine(timeout, func(string) bool { return true })
}

// WaitExit waits for the program to end.
func (p *Process) WaitExit(timeout time.Duration) (Exit, error) {
	select {
	case <-p.done:
		return *p.exit, nil
	case <-time.After(Scaled(timeout)):
		return Exit{}, ErrTimeout
	}
}

// Exited returns how the program ended, or nil while it runs.
func (p *Process) Exited() *Exit {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exit
}

// Lines returns every output line so far, stdout and stderr, in the order
// they were read.
func (p *Process) Lines() []Line {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Line(nil), p.lines...)
}

// Output returns the lines so far from one stream.
func (p *Process) Output(who Who) []string {
	var out []string
	for _, l := range p.Lines() {
		if l.Who == who {
			out = append(out, l.Text)
		}
	}
	return out
}

// WriteStdin writes s to the program's stdin.
func (p *Process) WriteStdin(s string) error {
	p.tr.Add(Stdin, In, s)
	_, err := io.WriteString(p.stdin, s)
	return err
}

// CloseStdin closes the program's stdin, so that it reads end of file.
func (p *Process) CloseStdin() error {
	p.tr.Add(Stdin, Note, "closed (the program reads end of file)")
	return p.stdin.Close()
}

// Signal sends sig to the program (not to the rest of its group).
func (p *Process) Signal(sig syscall.Signal) error {
	p.tr.Notef("sent %v to the program", sig)
	return p.cmd.Process.Signal(sig)
}

// Stop ends the program and everything it started: SIGTERM to the whole
// process group, then SIGKILL to whatever is left. It waits until the
// program has ended and its output is read. It is safe to call more than once.
func (p *Process) Stop() {
	pgid := p.cmd.Process.Pid // the program leads its own group
	if p.Exited() == nil {
		p.tr.Notef("the check stops the program: SIGTERM to its process group")
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(Scaled(time.Second)):
		}
	}
	// Even after the program has ended, children it forked may remain.
	syscall.Kill(-pgid, syscall.SIGKILL)
	<-p.done
	p.stdin.Close()
}

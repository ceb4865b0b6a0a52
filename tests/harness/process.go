package harness

import (
	"bytes"
	"context"
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
	Args []string // command-line arguments
	Env  []string // extra environment variables, "KEY=value"
	Dir  string   // the working directory; the caller's when empty
	// Context, if set, stops the program when it is done, as Stop does:
	// SIGTERM to its process group, then SIGKILL.
	Context    context.Context
	Transcript *Transcript // where to record output; nil records nothing
	// Name labels the program's output in the transcript ("server stdout"),
	// for a check that runs more than one program. Empty means just
	// "stdout" and "stderr".
	Name string
	// Wrap is a command put in front of the program, such as
	// {"prlimit", "--nofile=64", "--"}. It must exec the program in place,
	// so that the process started is the program itself.
	Wrap []string
	// Combined gives the program one pipe for stdout and stderr, as a
	// terminal does, so that its lines keep the order it wrote them in.
	// Every line is then recorded as Stdout.
	Combined bool
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
	name   string // what the transcript calls it: see Options.Name
	cmd    *exec.Cmd
	cancel context.CancelFunc // asks exec to stop the program: see Stop
	tr     *Transcript
	stdin  *os.File
	stdout *lineWriter
	stderr *lineWriter

	mu      sync.Mutex
	lines   []Line
	cursor  int           // the stdout line that NextLine and WaitLine look at first
	exit    *Exit         // set once the program has ended and its output is read
	changed chan struct{} // closed, and replaced, whenever lines or exit change

	done chan struct{} // closed when exit is set
}

// grace is how long a program has to end after SIGTERM before it gets
// SIGKILL, and how long its output is awaited after it ends while a child it
// forked still holds its stdout or stderr open.
const grace = time.Second

// Start starts the program at path bin.
func Start(bin string, opt Options) (*Process, error) {
	argv := append(append(append([]string(nil), opt.Wrap...), bin), opt.Args...)
	// Stop cancels ctx, as does the end of opt.Context. exec.Cmd then calls
	// Cancel, which sends SIGTERM to the whole process group, and sends
	// SIGKILL to the program if it is still running WaitDelay later.
	parent := opt.Context
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), opt.Env...)
	cmd.Dir = opt.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // its own group, so cleanup reaches its children too
		Pdeathsig: syscall.SIGKILL, // and it dies with the test if that is killed
	}
	cmd.WaitDelay = Scaled(grace)
	p := &Process{
		name:    opt.Name,
		cmd:     cmd,
		cancel:  cancel,
		tr:      opt.Transcript,
		changed: make(chan struct{}),
		done:    make(chan struct{}),
	}
	cmd.Cancel = p.terminate
	// exec.Cmd copies each stream into its writer as it arrives, so a line
	// is seen the moment it is written.
	p.stdout = &lineWriter{p: p, who: Stdout, label: label(opt.Name, Stdout)}
	p.stderr = &lineWriter{p: p, who: Stderr, label: label(opt.Name, Stderr)}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if opt.Combined {
		// One writer for both: exec.Cmd then gives the program the same
		// pipe as its stdout and its stderr.
		cmd.Stderr = p.stdout
	}
	// Stdin is a pipe of our own rather than one from exec.Cmd, so that
	// closing it (CloseStdin) is up to the check.
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		cancel()
		return nil, err
	}
	cmd.Stdin = stdinR
	err = cmd.Start()
	stdinR.Close()
	if err != nil {
		stdinW.Close()
		cancel()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p.stdin = stdinW
	shown := append([]string(nil), argv...)
	shown[len(opt.Wrap)] = filepath.Base(bin)
	opt.Transcript.Notef("started %s", strings.Join(shown, " "))
	go p.wait()
	return p, nil
}

// Pid returns the program's process ID.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// called returns what the transcript's notes call the program: "the
// program", or its name when it has one.
func (p *Process) called() string {
	if p.name == "" {
		return "the program"
	}
	return p.name
}

func label(name string, who Who) Who {
	if name == "" {
		return who
	}
	return Who(name + " " + string(who))
}

// A lineWriter takes one of the program's output streams and records it
// line by line.
type lineWriter struct {
	p          *Process
	who, label Who
	partial    []byte // the start of a line whose "\n" has not come yet
}

func (w *lineWriter) Write(b []byte) (int, error) {
	n := len(b)
	for {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			break
		}
		w.partial = append(w.partial, b[:i]...)
		w.p.addLine(w.who, w.label, string(w.partial))
		w.partial = w.partial[:0]
		b = b[i+1:]
	}
	w.partial = append(w.partial, b...)
	return n, nil
}

// flush records the last line of a stream that ended without a "\n".
func (w *lineWriter) flush() {
	if len(w.partial) > 0 {
		w.p.addLine(w.who, w.label, string(w.partial))
		w.partial = nil
	}
}

func (p *Process) addLine(who, label Who, text string) {
	p.tr.Add(label, Out, text)
	p.mu.Lock()
	p.lines = append(p.lines, Line{who, text})
	p.notifyLocked()
	p.mu.Unlock()
}

func (p *Process) wait() {
	// Wait returns once the program has ended and its output is read, or
	// WaitDelay after it ended if a child it forked holds the pipes open.
	p.cmd.Wait()
	p.cancel()
	p.stdout.flush()
	p.stderr.flush()
	exit := Exit{Code: p.cmd.ProcessState.ExitCode()}
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		exit = Exit{Code: -1, Signal: ws.Signal()}
	}
	p.tr.Add(Check, Note, p.called()+" ended: "+exit.String())
	p.mu.Lock()
	p.exit = &exit
	p.notifyLocked()
	p.mu.Unlock()
	close(p.done)
}

// terminate is the program's exec.Cmd.Cancel: it sends SIGTERM to the
// program's process group, unless the program has ended already.
func (p *Process) terminate() error {
	pgid := p.cmd.Process.Pid // the program leads its own group
	if !Running(pgid) {
		return os.ErrProcessDone
	}
	p.tr.Notef("the check stops %s: SIGTERM to its process group", p.called())
	return syscall.Kill(-pgid, syscall.SIGTERM)
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
// process group, SIGKILL to the program if it is still running a second
// later, and SIGKILL to whatever is left of its group. It waits until the
// program has ended and its output is read. It is safe to call more than
// once.
func (p *Process) Stop() {
	pgid := p.cmd.Process.Pid
	p.cancel() // exec.Cmd calls terminate, unless it has seen the program end
	if !Running(pgid) {
		// The program has ended on its own. What is left of its group are
		// children it forked, which may hold its output open: no need to
		// wait for them.
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
	<-p.done
	syscall.Kill(-pgid, syscall.SIGKILL)
	p.stdin.Close()
}

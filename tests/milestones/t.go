package milestones

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"workbook/tests/harness"
)

// Deadlines for what a check waits on. They are generous on purpose: a
// correct program meets them by orders of magnitude, and harness.Scaled
// stretches them further on slow machines.
const (
	waitOutput = 10 * time.Second // for a line of output
	waitReply  = 10 * time.Second // for a reply on a connection
	waitExit   = 10 * time.Second // for the program to end
)

// quietWindow is how long a check watches for something that must NOT
// happen: a reply to half a line, a client printing half a reply, or
// sending its next line before the reply to the last one. A correct program
// is silent for as long as it is watched; a wrong one gives itself away
// within milliseconds.
const quietWindow = 300 * time.Millisecond

// A Program is what a check runs.
type Program struct {
	Bin string // the built binary
	// Run is how a learner starts it by hand, such as
	// "go run ./stage1-server"; it goes into repro commands.
	Run string
	// Dir is the directory of its source, if known: a hint that quotes a
	// line of it names the Step that line belongs to.
	Dir string
	// Busy, if not nil, is shared with the other checks running at the
	// same time: see Limit.
	Busy Limit
}

// T is what a check's Run function gets: the program under test, a
// transcript of everything that happens, and ways to fail. A failing method
// ends the check at once, like testing.T's FailNow, so it must be called
// from the check's own goroutine.
type T struct {
	ctx      context.Context // stops every program the check starts when done
	prog     Program
	tr       *harness.Transcript
	cleanups []func()
	failure  *Failure
	clients  int
	runs     int // how many times the check has started the program under test

	mu    sync.Mutex // guards procs
	procs []*harness.Process
}

// errFailed unwinds a check's goroutine when it fails.
type errFailed struct{}

// Transcript returns the check's transcript, for notes of its own.
func (t *T) Transcript() *harness.Transcript { return t.tr }

// Notef records a note in the transcript.
func (t *T) Notef(format string, a ...any) { t.tr.Notef(format, a...) }

// Cleanup registers f to run when the check ends, last registered first.
func (t *T) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }

// Fail ends the check with f.
func (t *T) Fail(f Failure) {
	t.failure = &f
	panic(errFailed{})
}

// Failf ends the check with a summary and nothing else.
func (t *T) Failf(format string, a ...any) {
	t.Fail(Failure{Summary: fmt.Sprintf(format, a...)})
}

// Start starts the program with args and stops it when the check ends.
func (t *T) Start(args ...string) *harness.Process {
	return t.StartWith(harness.Options{Args: args})
}

// StartWith starts the program with opt, recording into the transcript.
func (t *T) StartWith(opt harness.Options) *harness.Process {
	return t.start(t.prog.Bin, opt)
}

// StartOther starts bin, a program that takes part in the check besides
// the one under test (such as the Stage 1 server that a Stage 2 client
// talks to), with args. The transcript labels its output with its name,
// and it is stopped when the check ends.
func (t *T) StartOther(bin string, args ...string) *harness.Process {
	return t.start(bin, harness.Options{Args: args, Name: filepath.Base(bin)})
}

func (t *T) start(bin string, opt harness.Options) *harness.Process {
	t.prepare(bin, &opt)
	p, err := harness.Start(bin, opt)
	if err != nil {
		t.Failf("could not start the program: %v", err)
	}
	t.started(p)
	return p
}

// prepare makes opt record into the check's transcript and stop with the
// check. A check that starts the program under test more than once tells
// the runs apart: the first is "stdout" and "the program", the second
// "program 2 stdout" and "program 2".
func (t *T) prepare(bin string, opt *harness.Options) {
	opt.Transcript, opt.Context = t.tr, t.ctx
	if bin == t.prog.Bin {
		if t.runs++; t.runs > 1 && opt.Name == "" {
			opt.Name = "program " + strconv.Itoa(t.runs)
		}
	}
}

// started registers a program the check started, to be stopped when the
// check ends and looked at if it fails.
func (t *T) started(p *harness.Process) {
	t.mu.Lock()
	t.procs = append(t.procs, p)
	t.mu.Unlock()
	t.Cleanup(p.Stop)
}

// programs returns the programs the check has started so far.
func (t *T) programs() []*harness.Process {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.procs)
}

// nextClient returns the name for a new client connection.
func (t *T) nextClient() harness.Who {
	t.clients++
	return harness.Who("client " + strconv.Itoa(t.clients))
}

// ExpectLine waits for the program's next stdout line and fails unless it is
// want. step is the Step that prints it.
func (t *T) ExpectLine(p *harness.Process, want string, step int) {
	got, err := p.NextLine(waitOutput)
	if err != nil {
		t.failWaiting(p, err, want, step)
	}
	if got != want {
		t.Fail(Failure{
			Summary: "the program printed a different line than expected",
			Want:    want,
			Got:     got,
			Step:    step,
			Hint:    lineHint(want, got),
		})
	}
}

// WaitLine waits for a stdout line equal to want, skipping other lines.
func (t *T) WaitLine(p *harness.Process, want string, step int) {
	if _, err := p.WaitLine(waitOutput, func(s string) bool { return s == want }); err != nil {
		t.failWaiting(p, err, want, step)
	}
}

// ExpectOutput waits until the program has printed as many stdout lines as
// want holds, then fails unless its stdout is exactly want. A wanted line
// that ends in "…" matches any line that starts with the text before it.
func (t *T) ExpectOutput(p *harness.Process, want []string, step int) {
	for len(p.Output(harness.Stdout)) < len(want) {
		if _, err := p.NextLine(waitOutput); err != nil {
			got := p.Output(harness.Stdout)
			f := Failure{
				Summary: fmt.Sprintf("the program printed %d of the %d lines expected", len(got), len(want)),
				Want:    want,
				Got:     got,
				Step:    step,
			}
			if errors.Is(err, harness.ErrTimeout) {
				f.Summary += fmt.Sprintf(", and nothing more within %v", harness.Scaled(waitOutput))
			} else {
				f.Summary += ", then ended: " + err.Error()
			}
			t.Fail(f)
		}
	}
	got := p.Output(harness.Stdout)
	if !matchLines(want, got) {
		t.Fail(outputMismatch("the program's output is not what it should be", want, got, step))
	}
}

// outputMismatch returns the failure for output got that should be want,
// with the hint for the first line that differs.
func outputMismatch(summary string, want, got []string, step int) Failure {
	f := Failure{Summary: summary, Want: want, Got: got, Step: step}
	for i := range min(len(want), len(got)) {
		if !MatchLine(want[i], got[i]) {
			f.Hint = lineHint(want[i], got[i])
			break
		}
	}
	return f
}

// MatchLine reports whether got matches the wanted line want: equal, or,
// when want ends in "…", starting with the text before it.
func MatchLine(want, got string) bool {
	if prefix, ok := strings.CutSuffix(want, "…"); ok {
		return strings.HasPrefix(got, prefix)
	}
	return want == got
}

// matchLines reports whether got matches want line by line; see ExpectOutput.
func matchLines(want, got []string) bool {
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if !MatchLine(want[i], got[i]) {
			return false
		}
	}
	return true
}

// ExpectExit waits for the program to end and fails unless its exit status
// is code.
func (t *T) ExpectExit(p *harness.Process, code int, step int) {
	exit, err := p.WaitExit(waitExit)
	if err != nil {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the program was still running %v later; it should have ended with exit status %d", harness.Scaled(waitExit), code),
			Step:    step,
		})
	}
	if exit.Code != code {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the program ended with %v; it should be exit status %d", exit, code),
			Want:    fmt.Sprintf("exit status %d", code),
			Got:     exit.String(),
			Step:    step,
			Hint:    exitHint(p),
		})
	}
}

// ExpectReply reads one line from c and fails unless it is want. sent is
// what provoked it, for the failure message.
func (t *T) ExpectReply(c *harness.Conn, sent, want string, step int) {
	got, err := c.ReadLine(waitReply)
	t.checkReply(c, sent, want, got, err, step)
}

// ExpectBytes reads len(want) bytes from c and fails unless they are want.
func (t *T) ExpectBytes(c *harness.Conn, sent, want string, step int) {
	got, err := c.ReadFull(len(want), waitReply)
	t.checkReply(c, sent, want, got, err, step)
}

func (t *T) checkReply(c *harness.Conn, sent, want, got string, err error, step int) {
	if err == nil && got == want {
		return
	}
	if err == nil {
		// Show what came after the wrong reply too: "\nolleh" says more
		// than the "\n" that a line read stops at.
		more, _ := c.Quiet(200 * time.Millisecond)
		got += more
	}
	f := Failure{Sent: sent, Want: want, Got: got, Step: step, Hint: replyHint(sent, want, got)}
	switch {
	case errors.Is(err, harness.ErrTimeout) && got == "":
		f.Summary = fmt.Sprintf("%s got no reply within %v", c.Name(), harness.Scaled(waitReply))
	case errors.Is(err, harness.ErrTimeout):
		f.Summary = fmt.Sprintf("%s got only part of the reply within %v", c.Name(), harness.Scaled(waitReply))
	case err != nil && got == "":
		f.Summary = fmt.Sprintf("%s got no reply: the connection ended (%v)", c.Name(), err)
	case err != nil:
		f.Summary = fmt.Sprintf("%s got part of a reply, then the connection ended (%v)", c.Name(), err)
	default:
		f.Summary = fmt.Sprintf("%s got a wrong reply", c.Name())
	}
	t.Fail(f)
}

// failWaiting fails a check whose wait for want ended with err.
func (t *T) failWaiting(p *harness.Process, err error, want string, step int) {
	var exited *harness.ExitedError
	switch {
	case errors.As(err, &exited):
		t.Fail(Failure{
			Summary: fmt.Sprintf("the program ended (%v) before printing the expected line", exited.Exit),
			Want:    want,
			Step:    step,
			Hint:    exitHint(p),
		})
	case len(p.Output(harness.Stdout)) == 0:
		t.Fail(Failure{
			Summary: fmt.Sprintf("nothing was printed within %v", harness.Scaled(waitOutput)),
			Want:    want,
			Step:    step,
			Hint:    "Did the program get as far as printing this line, and does it print to stdout with a newline at the end?",
		})
	default:
		t.Fail(Failure{
			Summary: fmt.Sprintf("the expected line was not printed within %v, and the program is still running", harness.Scaled(waitOutput)),
			Want:    want,
			Step:    step,
		})
	}
}

package milestones

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"workbook/tests/harness"
)

// This file holds what a check needs to test a client program: a scripted
// server that the check controls byte by byte, and ways to drive the client
// through its stdin. Nothing here knows about a particular stage.

// Listen opens a scripted server: a harness.Listener on a free loopback
// port, which the check answers through the connection Accept returns. It is
// closed when the check ends.
func (t *T) Listen() *harness.Listener {
	l, err := harness.Listen(t.tr)
	if err != nil {
		t.Failf("could not open a listening socket for the client to connect to: %v", err)
	}
	// Closing it ends an Accept under way, for a check that is stopped.
	stop := context.AfterFunc(t.ctx, func() { l.Close() })
	t.Cleanup(func() {
		stop()
		l.Close()
	})
	t.Notef("the check listens on 127.0.0.1:%d, as the server", l.Port())
	return l
}

// StartClient starts the program as a client of l: with args, then
// "-port" and l's port. The program is stopped when the check ends.
func (t *T) StartClient(l *harness.Listener, args ...string) *harness.Process {
	return t.Start(append(append([]string(nil), args...), "-port", strconv.Itoa(l.Port()))...)
}

// Accept takes the connection that a client under test made to l. The
// check's end of it is recorded as "server". The client has said it is
// connected, so the connection must be there: step is the Step that
// connects.
func (t *T) Accept(l *harness.Listener, step int) *harness.Conn {
	c, err := l.Accept(waitOutput, "server")
	if err != nil {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the client said it was connected, but no connection reached the server: %v", err),
			Step:    step,
			Hint:    "Print the connected line only after connect(2) has succeeded, and connect to the -host and -port given on the command line.",
		})
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// RefusingPort returns a loopback port where connections are refused, held
// until the check ends.
func (t *T) RefusingPort() int {
	port, release, err := harness.RefusingPort()
	if err != nil {
		t.Failf("could not reserve a port: %v", err)
	}
	t.Cleanup(release)
	t.Notef("nothing listens on 127.0.0.1:%d: a connection there is refused", port)
	return port
}

// WriteStdin writes s to the program's stdin, as if typed or piped.
func (t *T) WriteStdin(p *harness.Process, s string) {
	if err := p.WriteStdin(s); err != nil {
		if exit, err := p.WaitExit(time.Second); err == nil {
			t.failEnded(p, exit, "the check could not write to the program's stdin", 0)
		}
		t.Failf("could not write to the program's stdin: %v", err)
	}
}

// CloseStdin closes the program's stdin: it reads end of file, as after
// Ctrl-D or at the end of a piped file.
func (t *T) CloseStdin(p *harness.Process) {
	if err := p.CloseStdin(); err != nil {
		t.Failf("could not close the program's stdin: %v", err)
	}
}

// failEnded fails a check because the program ended (with exit) while it
// should still be running, with summary and what it printed last. (Run
// names the Step instead when the program stopped at a [TODO].)
func (t *T) failEnded(p *harness.Process, exit harness.Exit, summary string, step int) {
	t.Fail(Failure{
		Summary: fmt.Sprintf("%s: the program ended (%v)", summary, exit),
		Step:    step,
		Hint:    exitHint(p),
	})
}

// ExpectNoLine listens to the program's stdout for the quiet window d and
// fails with f if it prints a line, or ends, meanwhile. It proves that
// something did NOT happen, which no event can show; d is short, and the
// check documents why it waits.
func (t *T) ExpectNoLine(p *harness.Process, d time.Duration, f Failure) {
	line, err := p.NextLine(d)
	var exited *harness.ExitedError
	switch {
	case errors.Is(err, harness.ErrTimeout):
		return
	case errors.As(err, &exited):
		t.failEnded(p, exited.Exit, "the program should still be waiting", f.Step)
	case err != nil:
		t.Failf("waiting for the program's output: %v", err)
	}
	f.Got = line
	t.Fail(f)
}

package milestones

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"workbook/tests/harness"
)

// Stage 3's challenge about stopping on a signal.

func s3Signals(t *T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		name := map[syscall.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT"}[sig]
		t.Notef("now with %s", name)
		srv := startLoop(t)
		c := dialAndWait(t, srv, 1)
		t.Exchange(c, s3Serve, "before the signal\n")
		c.Send("unfinished")
		loops := srv.CountLines(isDebug)
		srv.Signal(sig)
		expectStopped(t, srv, sig, name, loops)
		out := srv.Output(harness.Stdout)
		if len(out) == 0 || out[len(out)-1] != ShutdownLine {
			t.Fail(Failure{
				Summary: "the last line the server prints should say that it shuts down",
				Want:    ShutdownLine,
				Got:     strings.Join(out[max(0, len(out)-1):], ""),
				Step:    s3Stop,
			})
		}
	}
}

// expectStopped checks that srv, sent sig (called name) after it had gone
// round its loop loops times, ends at once with exit status 0.
func expectStopped(t *T, srv *Server, sig syscall.Signal, name string, loops int) {
	start := time.Now()
	_, spun, err := waitOrSpin(srv.Process, 1, func(string) bool { return false }, loops)
	var exited *harness.ExitedError
	ended := errors.As(err, &exited)
	var exit harness.Exit
	if ended {
		exit = exited.Exit
	}
	switch {
	case spun:
		// Woken, and woken again at once, for ever: the eventfd is
		// readable, and level-triggered epoll reports it every time.
		t.Fail(Failure{
			Summary: fmt.Sprintf("after %s the server went round its loop %d times and was still running %v later: it spins",
				name, srv.CountLines(isDebug)-loops, time.Since(start).Round(time.Millisecond)),
			Step: s3Stop,
			Hint: "The eventfd woke the loop, but nothing stopped it, so epoll reports the eventfd again and again. " +
				"In handle, add a case for s.wake, before the clients' default case, " +
				"that prints the shutting-down line and reports stop.",
		})
	case !ended:
		t.Fail(Failure{
			Summary: fmt.Sprintf("the server was still running %v after %s", harness.Scaled(waitOutput), name),
			Step:    s3Stop,
			Hint: "The signal was caught but nothing woke the loop from EpollWait: " +
				"when the signal comes, write to an eventfd (or a pipe) that is in the interest list.",
		})
	case exit.Signal == sig:
		t.Fail(Failure{
			Summary: fmt.Sprintf("%s killed the server (%v)", name, exit),
			Step:    s3Stop,
			Hint:    fmt.Sprintf("Catch %s with signal.Notify, so that it stops the server cleanly instead of killing it.", name),
		})
	case exit.Code != 0:
		hint := "Being asked to stop is not an error: print the shutting-down line and let run return nil."
		if l, ok := panicLine(srv.Process); ok {
			hint = "It panicked (" + l + "): " +
				"the eventfd's event probably reached handle's case for clients, where no client has that descriptor. " +
				"In handle, add a case for s.wake, before the default case, that prints the shutting-down line and reports stop."
		}
		t.Fail(Failure{
			Summary: fmt.Sprintf("after %s the server ended with %v; it should be exit status 0", name, exit),
			Want:    "exit status 0",
			Got:     exit.String(),
			Step:    s3Stop,
			Hint:    hint,
		})
	}
}

package milestones

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"workbook/tests/harness"
)

// What the Stage 3 checks share: starting the server and seeing its loop
// wait, connecting clients, and making sure the others are still served
// when one leaves.

// start3 starts the server on a free port with opt and waits for its first
// line, which must be the listening line.
func start3(t *T, opt harness.Options) *Server {
	return t.StartServerWith(opt, s3Wait, "The log is buffered: lines reach stdout when s.log.flush() runs, "+
		"which the loop does right before each EpollWait. Is the loop reached, and does it flush?")
}

// startLoop starts the server with args and waits for the listening line
// and the first "[DEBUG] Epoll wait".
func startLoop(t *T, args ...string) *Server {
	srv := start3(t, harness.Options{Args: args})
	expectFirstWait(t, srv, s3Wait, "Print [DEBUG] Epoll wait and flush the log before calling EpollWait, not after: "+
		"with no client yet, EpollWait sleeps until one comes.")
	return srv
}

// expectBackToWaiting checks that the last line the server printed, once
// it is done, is "[DEBUG] Epoll wait": after every round of events the
// loop goes back to waiting, and says so.
func expectBackToWaiting(t *T, p *harness.Process) {
	out := p.Output(harness.Stdout)
	last := -1
	for i, l := range out {
		if !isDebug(l) {
			last = i
		}
	}
	before := 0
	for _, l := range out[:last+1] {
		if isDebug(l) {
			before++
		}
	}
	if _, err := p.WaitCount(waitOutput, before+1, isDebug); err != nil {
		t.Fail(Failure{
			Summary: "after its last line, " + strconv.Quote(out[last]) + ", the server did not print \"[DEBUG] Epoll wait\" again",
			Want:    DebugLine,
			Step:    s3Wait,
			Hint:    "Print [DEBUG] Epoll wait at the top of the loop, before every EpollWait, not once before the loop.",
		})
	}
}

// dialAndWait connects a client and waits for the server's n-th connected
// line.
func dialAndWait(t *T, srv *Server, n int) *harness.Conn {
	c := t.Dial(srv, s3Watch)
	waitCount(t, srv.Process, n, isConnected, strconv.Quote(ConnectedLine), s3Accept,
		"On an event for the listening socket, accept the client with unix.Accept4, add its socket to epoll (EPOLLIN), and print the connected line.")
	return c
}

// stillServing sends line on c, after another client left, and checks the
// reply. It returns the line the server should log for it.
func stillServing(t *T, srv *Server, c *harness.Conn, line string) string {
	got, err := "", c.Send(line)
	if err == nil {
		got, err = c.ReadLine(waitReply)
	}
	if err == nil && got == reply(line) {
		return MessageLine(line)
	}
	if exit, werr := srv.WaitExit(2 * time.Second); werr == nil {
		failServerEnded(t, srv, exit)
	}
	t.checkReply(c, line, reply(line), got, err, s3Serve)
	return ""
}

// failServerEnded fails a check whose server ended after a client left.
func failServerEnded(t *T, srv *Server, exit harness.Exit) {
	hint := "A client leaving is not the end of the server any more: drop that one client and go back to EpollWait."
	for _, l := range srv.Output(harness.Stderr) {
		if strings.Contains(l, "epoll_ctl") && strings.Contains(l, "bad file descriptor") {
			hint = "EPOLL_CTL_DEL on a descriptor already closed fails with EBADF: take the socket out of epoll first, then close it."
		}
	}
	t.Fail(Failure{
		Summary: fmt.Sprintf("the server ended (%v) when one of its clients left", exit),
		Step:    s3Serve,
		Hint:    hint,
	})
}

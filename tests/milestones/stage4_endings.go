package milestones

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"workbook/tests/harness"
)

// Stage 4's challenges about the ways a pair ends: each side's end of file
// passed on while the other direction goes on, and resets.

// halfCloseSize is how much each side sends after the other has ended its
// sending: more than a socket holds, so that it takes many rounds.
const halfCloseSize = 1 << 20

func s4HalfCloses(t *T) {
	up := t.listenUpstream()
	srv := startProxy(t, up.Addr())
	hint := "The other direction goes on after an end of file: shutdown(SHUT_WR) ends only the proxy's sending to that side " +
		"(SHUT_RDWR, or close(2), would end its reading too), and the pair ends only when both directions have."

	t.Notef("the client sends a request and ends its sending; the upstream answers after reading its end of file")
	c, u := pairUp(t, srv, up, 1)
	request := "GET / HTTP/1.0\r\n\r\n"
	c.Send(request)
	c.CloseWrite()
	expectEnd(t, u, request, fmt.Sprintf("after %s closed its sending side, ", c.Name()))
	sendStream(u, halfCloseSize, 64<<10, u.Close)
	failStream(t, readStream(t, c, 0, halfCloseSize, 64<<10), c.Name(), halfCloseSize, s4HalfClose, hint)
	expectEnd(t, c, "", "after the whole answer, ")
	c.Close()
	expectPairGone(t, srv, 1, int64(len(request)), halfCloseSize, s4HalfClose, hint)

	t.Notef("the upstream sends and ends its sending first; the client answers after reading its end of file")
	c, u = pairUp(t, srv, up, 2)
	sendStream(u, halfCloseSize, 64<<10, u.CloseWrite)
	failStream(t, readStream(t, c, 0, halfCloseSize, 64<<10), c.Name(), halfCloseSize, s4HalfClose, hint)
	expectEnd(t, c, "", fmt.Sprintf("after %s closed its sending side, ", u.Name()))
	sendStream(c, halfCloseSize, 64<<10, c.Close)
	failStream(t, readStream(t, u, 0, halfCloseSize, 64<<10), u.Name(), halfCloseSize, s4HalfClose, hint)
	expectEnd(t, u, "", "after the whole answer, ")
	u.Close()
	expectPairGone(t, srv, 2, halfCloseSize, halfCloseSize, s4HalfClose, hint)

	t.Notef("the upstream ends its sending first, then reads nothing; the client sends until the proxy holds its bytes, then ends too")
	c, u = pairUp(t, srv, up, 3)
	u.Send("bye\n")
	u.CloseWrite()
	expectEnd(t, c, "bye\n", fmt.Sprintf("after %s closed its sending side, ", u.Name()))
	expectNotReading(t, srv, u, s4HalfClose, "The upstream's socket is at end of file, which stays readable for ever: "+
		"once out.eof is set, interest must ask for no EPOLLIN on it.")
	sent, held := sendUntilHeld(t, srv, c)
	endAcked(t, c)
	if held {
		expectIdle(t, srv, idleServer{clients: 2, writing: 1, steps: s4Epoll, step: s4HalfClose,
			hint: "Both directions of the client's connection have ended now, its FIN and the proxy's, " +
				"so epoll reports EPOLLHUP on its socket on every wait, asked for or not. While its last bytes wait for the upstream, " +
				"take the socket out of the interest list (watch parks it), and put it back once it is wanted again."})
	}
	t.Notef("%s now reads", u.Name())
	failStream(t, readStream(t, u, 0, sent, 64<<10), u.Name(), sent, s4HalfClose, hint)
	expectEnd(t, u, "", "after every byte, ")
	u.Close()
	expectPairGone(t, srv, 3, sent, 4, s4HalfClose, hint)
}

// resetTransfer is how much the side that is not reset sends meanwhile:
// more than a socket holds, so that the proxy is busy relaying it.
const resetTransfer = 8 << 20

func s4Resets(t *T) {
	up := t.listenUpstream()
	srv := startProxy(t, up.Addr())
	bystander, ub := pairUp(t, srv, up, 1)
	relayed(t, bystander, ub, "before\n", s4Relay)
	gone := 0
	hint := "A reset on one side of a pair ends both: serve calls abort on EPOLLERR, and on a read or write error, " +
		"and closePair closes both sockets."

	t.Notef("a client resets its connection in the middle of a download")
	c, u := pairUp(t, srv, up, 2)
	resetMidway(t, srv, u, c, hint)
	gone++
	waitCount(t, srv.Process, gone, isPairGone, strconv.Quote(PairGonePrefix+"…"), s4Close, hint)

	t.Notef("an upstream resets its connection in the middle of an upload")
	c, u = pairUp(t, srv, up, 3)
	resetMidway(t, srv, c, u, hint)
	gone++
	waitCount(t, srv.Process, gone, isPairGone, strconv.Quote(PairGonePrefix+"…"), s4Close, hint)

	t.Notef("a client resets while its upstream sends, and the proxy meets both in the same round")
	c, u = pairUp(t, srv, up, 4)
	relayed(t, c, u, "hello\n", s4Relay)
	sameRound(t, srv, []*harness.Conn{c}, []*harness.Conn{u})
	gone++
	expectGoneOnce(t, srv, gone)

	relayed(t, bystander, ub, "still here\n", s4Relay)
	relayed(t, ub, bystander, "and so am I\n", s4Relay)
	expectSockets(t, srv, 3, s4Close, "closePair closes both of a pair's sockets, whichever side failed.")
}

// resetMidway has from send more than a socket holds to to, which reads
// the start of it and resets its connection: the proxy must end from's
// connection too, and go on.
func resetMidway(t *T, srv *Server, from, to *harness.Conn, hint string) {
	sendStream(from, resetTransfer, 256<<10, nil)
	if _, err := to.ReadFull(256<<10, waitReply); err != nil {
		t.Failf("%s could not read the start of what %s sent: %v", to.Name(), from.Name(), err)
	}
	to.Reset()
	expectCut(t, from, fmt.Sprintf("after %s reset its connection, ", to.Name()), hint)
	expectRunning(t, srv, fmt.Sprintf("when %s reset its connection", to.Name()))
}

// expectCut reads from c, whose pair's other side has just been reset,
// until the proxy ends c's connection too, with a reset or an end of file.
// what says what happened, for the failure.
func expectCut(t *T, c *harness.Conn, what, hint string) {
	deadline := time.Now().Add(harness.Scaled(waitReply))
	for time.Now().Before(deadline) {
		_, err := c.ReadFull(64<<10, waitReply)
		if err != nil && err != harness.ErrTimeout {
			return // reset, or closed
		}
	}
	t.Fail(Failure{
		Summary: fmt.Sprintf("%sthe proxy kept %s's connection open", what, c.Name()),
		Want:    "the connection reset or closed",
		Got:     "still open",
		Step:    s4Close,
		Hint:    hint,
	})
}

// sameRound resets each of clients while each of upstreams sends a line,
// all while the proxy is paused (SIGSTOP), and only once the kernel has
// taken all of it does it let the proxy go on: its next wait reports the
// resets and the lines in one batch.
func sameRound(t *T, srv *Server, clients, upstreams []*harness.Conn) {
	if err := srv.Pause(); err != nil {
		t.Failf("could not pause the proxy: %v", err)
	}
	t.Cleanup(func() { srv.Resume() })
	for _, c := range clients {
		c.Reset()
	}
	for _, u := range upstreams {
		u.Send("a line in the same round\n")
	}
	// The proxy's ends of the connections: the reset one gone, the other
	// with bytes to read.
	for _, c := range clients {
		waitKernel(t, c.RemoteAddr(), c.LocalAddr(), func(s harness.TCPSocket, ok bool) bool { return !ok || s.State == harness.TCPClose })
	}
	for _, u := range upstreams {
		waitKernel(t, u.RemoteAddr(), u.LocalAddr(), func(s harness.TCPSocket, ok bool) bool { return ok && s.RecvQueue > 0 })
	}
	t.Notef("the kernel has taken the resets and the lines; the proxy goes on")
	if err := srv.Resume(); err != nil {
		t.Failf("could not resume the proxy: %v", err)
	}
}

// waitKernel polls the kernel until done holds for the TCP socket from
// local to remote (ok says whether there is one).
func waitKernel(t *T, local, remote netip.AddrPort, done func(s harness.TCPSocket, ok bool) bool) {
	deadline := time.Now().Add(harness.Scaled(waitReply))
	for {
		s, ok, err := harness.FindTCPSocket(local, remote)
		if err != nil {
			t.Failf("could not ask the kernel about a TCP socket: %v", err)
		}
		if done(s, ok) {
			return
		}
		if time.Now().After(deadline) {
			t.Failf("the kernel did not deliver to the socket from %v to %v within %v", local, remote, harness.Scaled(waitReply))
		}
		time.Sleep(time.Millisecond) // polling the kernel: nothing to wait on
	}
}

// staleEvents is the hint for a proxy that met an event about a pair it
// had just ended.
const staleEvents = "When an event ends a pair, an event about its other socket may still wait in the same round: " +
	"closePair puts nil at both descriptors in s.pairs, and round skips an event whose pair is nil."

// expectRunning fails if the proxy has ended, as it must not while pairs
// come and go; what says when.
func expectRunning(t *T, srv *Server, what string) {
	_, panicked := panicLine(srv.Process)
	if srv.Exited() == nil && !panicked {
		return
	}
	// A panic's lines come before the harness has seen the program end.
	exit, err := srv.WaitExit(2 * time.Second)
	ended := exit.String()
	if err != nil {
		ended = "still running"
	}
	f := Failure{Summary: fmt.Sprintf("the proxy ended (%s) %s", ended, what), Step: s4Close, Hint: exitHint(srv.Process)}
	if l, ok := panicLine(srv.Process); ok && strings.Contains(l, "nil pointer dereference") {
		f.Summary = fmt.Sprintf("the proxy panicked (%s) %s", l, what)
		f.Hint = "A nil pointer, while pairs end: " + staleEvents
	}
	t.Fail(f)
}

// expectGoneOnce waits for the proxy's n-th disconnect line, and then
// fails if more come: a pair ends once, whatever its two sockets report in
// the round that ends it.
func expectGoneOnce(t *T, srv *Server, n int) {
	if _, err := srv.WaitCount(waitOutput, n, isPairGone); err != nil {
		if l, ok := panicLine(srv.Process); ok {
			t.Fail(Failure{
				Summary: fmt.Sprintf("the proxy panicked (%s) when both sockets of a pair had events in one round", l),
				Step:    s4Close,
				Hint:    staleEvents,
			})
		}
		waitCount(t, srv.Process, n, isPairGone, strconv.Quote(PairGonePrefix+"…"), s4Close, staleEvents)
	}
	settle(srv)
	// A proxy that panics flushes its log as it unwinds, so the lines may
	// all be there.
	expectRunning(t, srv, "when both sockets of a pair had events in one round")
	if got := srv.CountLines(isPairGone); got > n {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the proxy printed %d disconnect lines for %d pairs: it ended a pair twice, "+
				"once for each of its sockets' events in the same round", got, n),
			Want: fmt.Sprint(n),
			Got:  fmt.Sprint(got),
			Step: s4Close,
			Hint: staleEvents,
		})
	}
}

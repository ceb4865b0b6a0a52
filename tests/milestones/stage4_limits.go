package milestones

import (
	"fmt"
	"os/exec"
	"strconv"

	"workbook/tests/harness"
)

// Stage 4's challenges about limits: many pairs, pairs that come and go,
// and clients past -max-clients or past the descriptors the proxy may open.

func s4Thousand(t *T) {
	const n = 1000
	t.Descriptors(2 * n) // per pair, the client and the upstream's end of it
	rev := t.lineReverser()
	srv := startProxy(t, rev.Addr())
	t.Notef("connecting %d clients", n)
	done := busyRound(t)
	clients := make([]*harness.Conn, n)
	for i := range clients {
		clients[i] = t.Dial(srv, s4Addr)
	}
	done()
	waitCount(t, srv.Process, n, isProxyConnected, strconv.Quote(ProxyConnectedLine), s4Pair, "")
	waitCount(t, srv.Process, n, isUpstreamConnected, strconv.Quote(UpstreamConnectedLine), s4Connected, "")
	t.Notef("each of the %d sends a line, then each reads its reply, which its own upstream connection sends", n)
	line := func(i int) string { return fmt.Sprintf("I am client %d of %d\n", i+1, n) }
	done = busyRound(t)
	for i, c := range clients {
		if err := c.Send(line(i)); err != nil {
			t.Failf("%s could not send: %v", c.Name(), err)
		}
	}
	for i, c := range clients {
		t.ExpectReply(c, line(i), reply(line(i)), s4Relay)
	}
	done()
	if open := rev.open.Load(); open != n {
		t.Fail(Failure{
			Summary: fmt.Sprintf("with %d pairs open, the upstream has %d connections open; each pair needs its own", n, open),
			Want:    fmt.Sprint(n),
			Got:     fmt.Sprint(open),
			Step:    s4Pair,
		})
	}
	t.Notef("all %d leave", n)
	for _, c := range clients {
		c.Close()
	}
	waitCount(t, srv.Process, n, isPairGone, strconv.Quote(PairGonePrefix+"…"), s4HalfClose, "")
	expectSockets(t, srv, 1, s4Close, "closePair closes both of a pair's sockets.")
}

func s4NoLeaks(t *T) {
	const rounds, per = 20, 100
	up := t.listenUpstream()
	srv := startProxy(t, up.Addr())
	start, err := harness.OpenSockets(srv.Pid())
	if err != nil {
		t.Failf("could not count the proxy's sockets: %v", err)
	}
	t.Notef("the proxy has %d socket open; %d pairs now come and go, %d at a time, ending in four ways: "+
		"the client closes or resets, or the upstream does", start, rounds*per, per)
	for r := range rounds {
		done := busyRound(t)
		clients, ups := pairs(t, srv, up, per)
		for i := range clients {
			endPair(t, clients[i], ups[i], i%4)
		}
		done()
		expectRunning(t, srv, fmt.Sprintf("in round %d of %d, as %d pairs ended", r+1, rounds, per))
	}
	t.Notef("and %d pairs whose clients reset while their upstreams send, the proxy meeting both in the same round", per)
	clients, ups := pairs(t, srv, up, per)
	sameRound(t, srv, clients, ups)
	for _, u := range ups {
		expectCut(t, u, "after its client reset, ", "")
	}
	expectGoneOnce(t, srv, (rounds+1)*per)
	expectSockets(t, srv, start, s4Close, "Some way of ending a pair leaves a socket open: every one must end in closePair, "+
		"which takes both sockets out of epoll, then closes both.")
	expectWatched(t, srv, start, s4Epoll)
}

// pairs connects n clients to the proxy at once and takes their n
// upstream connections, which may come in another order. Once the proxy
// says that they are all up, each client sends its number, which tells
// its upstream connection. It returns the clients and, in the same order,
// their upstream connections.
func pairs(t *T, srv *Server, up *upstream, n int) (clients, ups []*harness.Conn) {
	before := srv.CountLines(isUpstreamConnected)
	clients = make([]*harness.Conn, n)
	for i := range clients {
		clients[i] = t.Dial(srv, s4Addr)
	}
	accepted := make([]*harness.Conn, n)
	for i := range accepted {
		accepted[i] = up.accept(s4Connect, "")
	}
	waitCount(t, srv.Process, before+n, isUpstreamConnected, strconv.Quote(UpstreamConnectedLine), s4Connected, "")
	for i, c := range clients {
		c.Send(fmt.Sprintf("%d\n", i))
	}
	ups = make([]*harness.Conn, n)
	for _, u := range accepted {
		l, err := u.ReadLine(waitReply)
		i, perr := strconv.Atoi(content(l))
		if err != nil || perr != nil || i < 0 || i >= n || ups[i] != nil {
			expectRunning(t, srv, "while pairs came and went")
			t.Fail(Failure{
				Summary: fmt.Sprintf("%s did not get the first bytes of the client it was for", u.Name()),
				Want:    "a client's number and a newline",
				Got:     l,
				Step:    s4Relay,
			})
		}
		ups[i] = u
	}
	return clients, ups
}

// endPair ends the pair of client c and upstream connection u in one of
// four ways, by number.
func endPair(t *T, c, u *harness.Conn, way int) {
	switch way {
	case 0: // the client closes
		c.Close()
		expectCut(t, u, fmt.Sprintf("after %s closed its connection, ", c.Name()), "")
		u.Close()
	case 1: // the client resets
		c.Reset()
		expectCut(t, u, fmt.Sprintf("after %s reset its connection, ", c.Name()), "")
		u.Close()
	case 2: // the upstream closes
		u.Close()
		expectCut(t, c, fmt.Sprintf("after %s closed its connection, ", u.Name()), "")
		c.Close()
	case 3: // the upstream resets
		u.Reset()
		expectCut(t, c, fmt.Sprintf("after %s reset its connection, ", u.Name()), "")
		c.Close()
	}
}

func s4MaxClients(t *T) {
	rev := t.lineReverser()
	srv := startProxy(t, rev.Addr(), "-max-clients", "3")
	var served []*harness.Conn
	for i := range 3 {
		c := dialProxy(t, srv, i+1)
		waitCount(t, srv.Process, i+1, isUpstreamConnected, strconv.Quote(UpstreamConnectedLine), s4Connected, "")
		t.Exchange(c, s4Relay, fmt.Sprintf("client %d\n", i+1))
		served = append(served, c)
	}
	for n := range 2 {
		c, l := dialAndHear(t, srv)
		if isProxyConnected(l) {
			t.Fail(Failure{
				Summary: fmt.Sprintf("with -max-clients 3 and 3 pairs open, the proxy took a %s client", []string{"4th", "5th"}[n]),
				Want:    AnyWarning,
				Got:     l,
				Step:    s4Pair,
				Hint:    "acceptClients refuses a client while s.count is -max-clients or more: add one to s.count for each pair in addPair.",
			})
		}
		t.ExpectClosed(c, fmt.Sprintf("the proxy should refuse %s: close its connection at once, sending nothing", c.Name()), "", s4Pair)
	}
	if n := srv.CountLines(isWarn); n != 2 {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the proxy printed %d [WARN] lines for 2 clients refused; it should be one each", n),
			Want:    "2",
			Got:     fmt.Sprint(n),
			Step:    s4Pair,
		})
	}
	t.Notef("the three pairs still relay")
	for i, c := range served {
		t.Exchange(c, s4Relay, fmt.Sprintf("client %d again\n", i+1))
	}
	expectIdle(t, srv, idleServer{clients: 2 * len(served), steps: s4Epoll, step: s4Pair})
	t.Notef("one pair ends, and there is room for one more")
	served[0].Close()
	waitCount(t, srv.Process, 1, isPairGone, strconv.Quote(PairGonePrefix+"…"), s4HalfClose, "")
	c, l := dialAndHear(t, srv)
	if !isProxyConnected(l) {
		t.Fail(Failure{
			Summary: "with -max-clients 3, after one of the 3 pairs ended, the proxy refused a new client",
			Want:    ProxyConnectedLine,
			Got:     l,
			Step:    s4Close,
			Hint:    "A pair that ends must give its place back: closePair takes one from s.count.",
		})
	}
	waitCount(t, srv.Process, 4, isUpstreamConnected, strconv.Quote(UpstreamConnectedLine), s4Connected, "")
	t.Exchange(c, s4Relay, "my turn\n")
	expectSockets(t, srv, 7, s4Close, "Close both sockets of each pair that ends, and the client of each refusal.")
}

// descriptorLimits are the limits on open descriptors the emfile check
// starts the proxy with, one after the other: room for about ten pairs.
// The two differ by one, so that between them the proxy runs out both
// ways: when it accepts a client, and when it opens that client's
// upstream socket.
var descriptorLimits = []int{32, 33}

func s4OutOfDescriptors(t *T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Failf("this check needs the prlimit command (from util-linux): %v", err)
	}
	for _, limit := range descriptorLimits {
		rev := t.lineReverser()
		// Go raises the soft limit to the hard one as it starts, so set both.
		opt := harness.Options{
			Args: []string{"-upstream", rev.Addr()},
			Wrap: []string{prlimit, fmt.Sprintf("--nofile=%d:%d", limit, limit), "--"},
		}
		srv := startProxyWith(t, opt, rev.Addr())
		t.Notef("the proxy may have %d descriptors open; clients connect until three are refused", limit)
		served := outOfDescriptors(t, srv, limit)
		t.Notef("two pairs end; a new client must be served")
		served[0].Close()
		served[1].Close()
		waitCount(t, srv.Process, 2, isPairGone, strconv.Quote(PairGonePrefix+"…"), s4HalfClose, "")
		c, l := dialAndHear(t, srv)
		if !isProxyConnected(l) {
			t.Fail(Failure{
				Summary: "after two pairs ended, a new client should be served again",
				Want:    ProxyConnectedLine,
				Got:     l,
				Step:    s4Pair,
				Hint:    "Each refusal must give back what it took: close the client, and, when socket(2) worked, the upstream socket.",
			})
		}
		waitCount(t, srv.Process, len(served)+1, isUpstreamConnected, strconv.Quote(UpstreamConnectedLine), s4Connected, "")
		t.Exchange(c, s4Relay, "room again\n")
		srv.Stop()
	}
}

// outOfDescriptors connects clients to srv, which may have limit
// descriptors open, until three are refused, and checks that the proxy
// goes on serving the others and does not spin. It returns the clients
// served.
func outOfDescriptors(t *T, srv *Server, limit int) []*harness.Conn {
	var served []*harness.Conn
	refused := 0
	for refused < 3 {
		if len(served) > limit/2 {
			t.Failf("the proxy served %d pairs with a limit of %d descriptors", len(served), limit)
		}
		c, l := dialAndHear(t, srv)
		if isProxyConnected(l) {
			if refused > 0 {
				t.Failf("after refusing a client, the proxy took %s, though no descriptor had been freed", c.Name())
			}
			served = append(served, c)
			continue
		}
		t.ExpectClosed(c, fmt.Sprintf("the proxy should refuse %s: close its connection at once, sending nothing", c.Name()), "", s4Pair)
		refused++
	}
	t.Notef("%d pairs served, 3 clients refused", len(served))
	if len(served) < 2 {
		t.Failf("only %d pairs were served with a limit of %d descriptors", len(served), limit)
	}
	waitCount(t, srv.Process, len(served), isUpstreamConnected, strconv.Quote(UpstreamConnectedLine), s4Connected, "")
	for i, c := range served {
		t.Exchange(c, s4Relay, fmt.Sprintf("client %d still here\n", i+1))
	}
	expectIdle(t, srv, idleServer{clients: 2 * len(served), steps: s4Epoll, step: s4Pair,
		hint: "accept(2) fails with EMFILE and leaves the client in the queue, so the listening socket stays readable: " +
			"the given acceptClients refuses it with the spare descriptor. When it is socket(2) for the upstream that fails, " +
			"close the client yourself: it is out of the queue then."})
	return served
}

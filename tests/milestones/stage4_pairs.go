package milestones

import (
	"fmt"
	"strconv"
	"time"

	"workbook/tests/harness"
)

// What the Stage 4 checks share: starting the proxy in front of an
// upstream, and making pairs, a client and the upstream connection the
// proxy makes for it.

// startProxy starts the proxy on a free port with "-upstream up" and args,
// and waits for its listening line and the loop's first wait.
func startProxy(t *T, up string, args ...string) *Server {
	return startProxyWith(t, harness.Options{Args: append(args, "-upstream", up)}, up)
}

// startProxyWith is startProxy with opt, whose arguments say "-upstream
// up".
func startProxyWith(t *T, opt harness.Options, up string) *Server {
	srv := t.StartServerSaying(opt, s4Addr, "The log is buffered: lines reach stdout when s.log.flush() runs, "+
		"which the given loop does right before each EpollWait. Is the loop reached?",
		func(port int) string { return ProxyListeningLine(port, up) })
	expectFirstWait(t, srv, s4Addr, "The given loop (in proxy.go) prints [DEBUG] Epoll wait and flushes the log before each EpollWait. "+
		"A proxy that prints the listening line and then nothing has no such loop: "+
		"this stage's proxy is one epoll loop, without package net and without a goroutine per connection.")
	return srv
}

// dialProxy connects a new client to the proxy and waits for the
// proxy's n-th connected line.
func dialProxy(t *T, srv *Server, n int) *harness.Conn {
	c := t.Dial(srv, s4Addr)
	waitCount(t, srv.Process, n, isProxyConnected, strconv.Quote(ProxyConnectedLine), s4Pair,
		"For each client accepted, startPair opens the upstream socket, makes the pair (addPair), "+
			"and prints [INFO] Client connected to proxy.")
	return c
}

// pairUp connects client n to the proxy, takes the connection the proxy
// makes to up for it, and waits for the proxy's n-th connected-to-upstream
// line. It returns the client's connection and the upstream's.
func pairUp(t *T, srv *Server, up *upstream, n int) (c, u *harness.Conn) {
	c = dialProxy(t, srv, n)
	u = up.accept(s4Connect, "After the connected line, startPair starts the upstream connection: "+
		"connectUpstream calls unix.Connect with s.upstream, the address Step 1 made.")
	waitCount(t, srv.Process, n, isUpstreamConnected, strconv.Quote(UpstreamConnectedLine), s4Connected,
		"epoll reports the upstream socket writable (EPOLLOUT) once its connect is over: "+
			"finishConnect then reads SO_ERROR and, when it is 0, prints [INFO] Connected to upstream.")
	return c, u
}

// relayed sends text on from and checks that to receives exactly text: a
// client's bytes reaching its upstream, or the reverse. step is the Step
// to revisit when they do not.
func relayed(t *T, from, to *harness.Conn, text string, step int) {
	if err := from.Send(text); err != nil {
		t.Failf("%s could not send: %v", from.Name(), err)
	}
	got, err := to.ReadFull(len(text), waitReply)
	if err == nil && got == text {
		return
	}
	f := Failure{
		Summary: fmt.Sprintf("%s sent %d bytes through the proxy, and %s got %d of them, then %s", from.Name(), len(text), to.Name(), len(got), errOrEOF(err)),
		Sent:    text,
		Want:    text,
		Got:     got,
		Step:    step,
	}
	if err == nil {
		f.Summary = fmt.Sprintf("%s sent %d bytes through the proxy, and %s got other bytes", from.Name(), len(text), to.Name())
	}
	t.Fail(f)
}

// expectPairGone waits for the proxy's n-th disconnect line, and fails
// unless that pair's line says that it relayed sent bytes to the upstream
// and received bytes to the client. step is the Step that ends the pair.
func expectPairGone(t *T, srv *Server, n int, sent, received int64, step int, hint string) {
	waitCount(t, srv.Process, n, isPairGone, strconv.Quote(PairGonePrefix+"…"), step, hint)
	want := PairGoneLine(sent, received)
	i := 0
	for _, l := range srv.Output(harness.Stdout) {
		if isPairGone(l) {
			if i++; i == n {
				if l != want {
					t.Fail(Failure{
						Summary: "the disconnect line does not count the bytes the proxy relayed",
						Want:    want,
						Got:     l,
						Step:    s4Relay,
						Hint: "Count in written every byte that write(2) takes, in relay and in drain: " +
							"sent is what reached the upstream, received what reached the client.",
					})
				}
				return
			}
		}
	}
}

// busyRound starts a busy part of the check (see T.Busy) that gives up its
// turn by itself after a moment, as readAll's do, in case what it waits
// for (an end of file, a reply) never comes.
func busyRound(t *T) (done func()) {
	done = t.Busy()
	time.AfterFunc(harness.Scaled(2*time.Second), done)
	return done
}

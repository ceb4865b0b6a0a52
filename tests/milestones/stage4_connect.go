package milestones

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"time"

	"workbook/tests/harness"
)

// Stage 4's challenges about the upstream connection: one that hangs, one
// that is refused, a stop signal while one connects, and bad addresses.

// blocked is the hint for a proxy that stopped relaying while one of its
// upstream connections hung.
const blocked = "A connect(2) on a blocking socket waits for the handshake, and the whole loop waits with it. " +
	"Open the upstream socket with SOCK_NONBLOCK: connect then returns EINPROGRESS at once, and EPOLLOUT says when it is done."

// hangUpstream fills up's accept queue, up being a harness.ListenHanging,
// with a connection of the check's own, which up does not accept: from
// then on the kernel drops each new connection's SYN, and a connect to up
// hangs until the check accepts it to make room.
func hangUpstream(t *T, up *upstream) {
	t.Notef("the check connects to the upstream itself and is never accepted: the queue is full, and connecting there hangs")
	filler, err := harness.Dial(up.Addr(), "filler", t.tr)
	if err != nil {
		t.Failf("could not fill the upstream's queue: %v", err)
	}
	t.Cleanup(func() { filler.Close() })
}

// waitConnecting waits until the proxy has n connections to up on their
// way (SYN_SENT), which the kernel's table of sockets shows whatever the
// proxy prints.
func waitConnecting(t *T, srv *Server, up *upstream, n int) {
	deadline := time.Now().Add(harness.Scaled(waitReply))
	for {
		socks, err := harness.TCPSocketsIn(harness.TCPSynSent)
		if err != nil {
			t.Failf("could not ask the kernel about TCP sockets: %v", err)
		}
		found := 0
		for _, s := range socks {
			if int(s.Remote.Port()) == up.Port() {
				found++
			}
		}
		if found >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fail(Failure{
				Summary: fmt.Sprintf("the proxy did not start connecting to the upstream (%s) within %v of a client's arrival", up.Addr(), harness.Scaled(waitReply)),
				Step:    s4Connect,
				Hint:    "For each client, startPair opens a socket and starts its connection with connectUpstream.",
			})
		}
		time.Sleep(time.Millisecond) // polling /proc: nothing to wait on
	}
}

func s4HangingConnect(t *T) {
	up := t.upstreamOn(harness.ListenHanging)
	srv := startProxy(t, up.Addr())
	bystander, ub := pairUp(t, srv, up, 1)
	relayed(t, bystander, ub, "before\n", s4Relay)
	hangUpstream(t, up)
	c := t.Dial(srv, s4Addr)
	waitConnecting(t, srv, up, 1)
	t.Notef("%s's upstream connection hangs; %s must still be served", c.Name(), bystander.Name())
	for _, l := range []string{"are you there?\n", "still here\n"} {
		bystander.Send(l)
		got, err := ub.ReadFull(len(l), waitReply)
		if err != nil || got != l {
			t.Fail(Failure{
				Summary: fmt.Sprintf("while %s's upstream connection hung, %s's bytes did not reach its upstream", c.Name(), bystander.Name()),
				Sent:    l,
				Want:    l,
				Got:     got,
				Step:    s4Connect,
				Hint:    blocked,
			})
		}
	}
	waitCount(t, srv.Process, 2, isProxyConnected, strconv.Quote(ProxyConnectedLine), s4Pair, "")

	early := "bytes sent before the upstream answers\n"
	t.Notef("%s sends before its upstream connection is up; then the upstream makes room in its queue", c.Name())
	c.Send(early)
	if _, err := up.Accept(waitReply, "filler, accepted"); err != nil {
		t.Failf("could not accept the check's own connection to the upstream: %v", err)
	}
	u := acceptLate(t, srv, up, c.Name())
	waitCount(t, srv.Process, 2, isUpstreamConnected, strconv.Quote(UpstreamConnectedLine), s4Connected, "")
	got, err := u.ReadFull(len(early), waitReply)
	if err != nil || got != early {
		t.Fail(Failure{
			Summary: fmt.Sprintf("what %s sent before its upstream connection was up did not all reach the upstream", c.Name()),
			Sent:    early,
			Want:    early,
			Got:     got,
			Step:    s4Pair,
			Hint:    "While the upstream connects, leave the client's bytes in its socket: watch it for no events (0), and relay once connected.",
		})
	}
	relayed(t, u, c, "welcome, at last\n", s4Relay)
	relayed(t, bystander, ub, "and now?\n", s4Relay)
}

// acceptLate takes the upstream connection of client who, whose connect
// hung until the upstream made room: the kernel's next SYN retry, a
// second or three later, completes it.
func acceptLate(t *T, srv *Server, up *upstream, who harness.Who) *harness.Conn {
	up.accepted++
	name := harness.Who(fmt.Sprintf("upstream %d", up.accepted))
	deadline := time.Now().Add(harness.Scaled(waitReply))
	// A short wait at a time, so that a pair the proxy ended meanwhile is
	// noticed at once rather than at the deadline.
	for time.Now().Before(deadline) && srv.CountLines(isPairGone) == 0 {
		u, err := up.Accept(200*time.Millisecond, name)
		if err == nil {
			t.Cleanup(func() { u.Close() })
			return u
		}
	}
	f := Failure{
		Summary: fmt.Sprintf("once the upstream had room, %s's upstream connection did not reach it within %v", who, harness.Scaled(waitReply)),
		Step:    s4Connect,
		Hint:    "A connect that waits is not over: keep its socket watched for EPOLLOUT, and leave the client be meanwhile.",
	}
	if srv.CountLines(isPairGone) > 0 {
		f.Summary = fmt.Sprintf("the proxy ended %s's pair while its upstream connection was on its way, once %s had sent bytes", who, who)
		f.Step = s4Pair
		f.Hint = "While the upstream connects, watch the client for nothing (0), not EPOLLIN: its early bytes wait in its socket, " +
			"and serve takes any event on the client then for the client having gone."
	}
	t.Fail(f)
	return nil
}

func s4Refused(t *T) {
	port, err := harness.ReservePort(t.tr)
	if err != nil {
		t.Failf("could not find a port that refuses connections: %v", err)
	}
	t.Cleanup(func() { port.Close() })
	addr := port.Addr()
	t.Notef("nothing listens on %s yet: a connection there is refused", addr)
	srv := startProxy(t, addr, "-max-clients", "3")
	refuseFour(t, srv, addr)

	t.Notef("the upstream comes up: three pairs are served, and a fourth client is one too many")
	ln, err := port.Listen()
	if err != nil {
		t.Failf("could not listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	up := &upstream{Listener: ln, t: t}
	var pairs [][2]*harness.Conn
	for i := range 3 {
		c := t.Dial(srv, s4Addr)
		waitCount(t, srv.Process, 5+i, isProxyConnected, strconv.Quote(ProxyConnectedLine), s4Pair, "")
		pairs = append(pairs, [2]*harness.Conn{c, up.accept(s4Connect, "")})
	}
	waitCount(t, srv.Process, 3, isUpstreamConnected, strconv.Quote(UpstreamConnectedLine), s4Connected, "")
	c, l := dialAndHear(t, srv)
	if !strings.HasPrefix(l, WarnPrefix+"Too many clients") {
		t.Fail(Failure{
			Summary: "with -max-clients 3, after four refusals, the proxy took a fourth client while three pairs were open",
			Want:    WarnPrefix + "Too many clients (-max-clients 3); refusing a client",
			Got:     l,
			Step:    s4Close,
			Hint:    "A refused pair was counted out more than once: closePair takes one from s.count, once per pair, and cannotConnect calls it already.",
		})
	}
	t.ExpectClosed(c, "the proxy should refuse a fourth client with -max-clients 3", "", s4Pair)
	for _, p := range pairs {
		relayed(t, p[0], p[1], "served\n", s4Relay)
	}
}

// refuseFour has three clients, then a fourth, connect to srv, whose
// upstream addr refuses, with -max-clients 3: each gets the [WARN] line
// and is closed, and the proxy is left idle, with its listening socket
// alone.
func refuseFour(t *T, srv *Server, addr string) {
	t.Notef("three clients at once, with -max-clients 3, then a fourth")
	warned := 0
	for _, n := range []int{3, 1} {
		var refused []*harness.Conn
		for range n {
			refused = append(refused, t.Dial(srv, s4Addr))
		}
		warned += n
		waitCount(t, srv.Process, warned, isWarn, "[WARN]", s4Connected, "")
		for _, c := range refused {
			t.ExpectClosed(c, fmt.Sprintf("the upstream refused, so the proxy should close %s's connection without sending a byte", c.Name()), "", s4Connected)
		}
	}
	settle(srv)
	want := []string{ProxyListeningLine(srv.Port, addr)}
	for range 4 {
		want = append(want, ProxyConnectedLine, CannotConnectLine(addr, "connection refused"))
	}
	expectRefusals(t, srv, want)
	expectIdle(t, srv, idleServer{steps: s4Epoll, step: s4Connected})
	expectSockets(t, srv, 1, s4Close, "A refused pair is closed like any other: both sockets, the client's and the upstream's.")
}

// expectRefusals checks that the proxy printed exactly want, [DEBUG] lines
// left out: its listening line, then for each refused client the connected
// line and the [WARN] line, the pairs in any order among themselves.
func expectRefusals(t *T, srv *Server, want []string) {
	got := details(srv.Process)
	if len(got) == len(want) && got[0] == want[0] {
		ok := true
		for i := 1; i < len(got); i++ {
			ok = ok && (got[i] == ProxyConnectedLine || got[i] == want[2])
		}
		if ok && strings.Count(strings.Join(got, "\n"), want[2]) == (len(want)-1)/2 {
			return
		}
	}
	f := outputMismatch("for clients whose upstream refused, the proxy should print the connected line and the [WARN] line, and nothing else",
		want, got, s4Connected)
	for _, l := range got {
		switch {
		case l == UpstreamConnectedLine:
			f.Hint = "EPOLLOUT on a connecting socket says only that the connect is over, not that it worked: " +
				"read SO_ERROR, and if it is not 0, give up with s.cannotConnect and return."
		case strings.HasPrefix(l, WarnPrefix+"Too many clients"):
			f.Step = s4Close
			f.Hint = "Each refused pair must give its place back: closePair takes one from s.count, " +
				"or the proxy fills up with clients it no longer has."
		}
	}
	t.Fail(f)
}

// dialAndHear connects a client to the proxy and returns the next line
// the proxy prints about a client arriving: the connected line, or a
// [WARN] line that refuses it.
func dialAndHear(t *T, srv *Server) (*harness.Conn, string) {
	arrival := func(s string) bool { return isProxyConnected(s) || isWarn(s) }
	before := srv.CountLines(arrival)
	c := t.Dial(srv, s4Addr)
	waitCount(t, srv.Process, before+1, arrival, fmt.Sprintf("%q or [WARN]", ProxyConnectedLine), s4Pair, "")
	n := 0
	for _, l := range srv.Output(harness.Stdout) {
		if arrival(l) {
			if n++; n == before+1 {
				return c, l
			}
		}
	}
	panic("unreachable: waitCount counted the line")
}

func s4Signals(t *T) {
	up := t.upstreamOn(harness.ListenHanging)
	srv := startProxy(t, up.Addr())
	c, u := pairUp(t, srv, up, 1)
	relayed(t, c, u, "relaying\n", s4Relay)
	relayed(t, u, c, "both ways\n", s4Relay)
	hangUpstream(t, up)
	t.Dial(srv, s4Addr)
	waitConnecting(t, srv, up, 1)
	c.Send("unfinished")
	t.Notef("a pair relays and another connects: SIGTERM")
	srv.Signal(syscall.SIGTERM)
	exit, err := srv.WaitExit(waitExit)
	switch {
	case err != nil:
		t.Fail(Failure{
			Summary: fmt.Sprintf("the proxy was still running %v after SIGTERM, with an upstream connection on its way", harness.Scaled(waitExit)),
			Step:    s4Connect,
			Hint:    blocked,
		})
	case exit.Code != 0:
		t.Fail(Failure{
			Summary: fmt.Sprintf("after SIGTERM the proxy ended with %v; it should be exit status 0", exit),
			Want:    "exit status 0",
			Got:     exit.String(),
			Step:    s4Connect,
			Hint:    exitHint(srv.Process),
		})
	}
	out := srv.Output(harness.Stdout)
	if len(out) == 0 || out[len(out)-1] != ProxyShutdownLine {
		t.Fail(Failure{
			Summary: "the last line the proxy prints should say that it shuts down",
			Want:    ProxyShutdownLine,
			Got:     strings.Join(out[max(0, len(out)-1):], ""),
			Step:    s4Connect,
		})
	}
}

func s4BadUpstream(t *T) {
	var sets [][]string
	for _, v := range []string{"localhost:3000", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "[::1]:3000", "127.0.0.1:http"} {
		sets = append(sets, []string{"-port", "0", "-upstream", v})
	}
	expectBadFlags(t, s4Addr, sets...)
}

package lessons

import (
	"fmt"
	"strconv"
	"time"

	"workbook/tests/harness"
)

// Stage 4's sessions: the proxy in a terminal of its own, with an upstream
// on a port shown as 3000 (nc -l, played by the session, or the Stage 3
// solution) and clients (nc, played, or the Stage 2 solution). As in
// Stage 3, every action waits for the proxy's "[DEBUG] Epoll wait" line
// that ends the round it caused, so that each event has a round of its own.
var stage4Sessions = map[string]sessionFunc{
	// nc -l as the upstream; the proxy; nc 127.0.0.1 8080, which types
	// hello once the pair is up. The skeleton stops at the Step not done.
	"first-client": firstClient,
	// nc -l as the upstream, the proxy, nc as the client: a line each way,
	// then Ctrl-C in the proxy's terminal.
	"nc-both-ways": func(s *Session) {
		upT, pT, cT := s.terminal(true), s.terminal(false), s.terminal(true)
		up := upT.ncListen()
		p := s.proxy(pT, up.Port())
		c := s.ncToProxy(cT, p)
		u := up.accept()
		p.waitFor("[INFO] Connected to upstream")
		p.waitFor("[DEBUG] Epoll wait")
		relayLine(p, c, u, "hello, upstream")
		relayLine(p, u, c, "hello, client")
		p.ctrlC()
		p.waitFor("[INFO] Proxy shutting down")
		p.exit()
		s.normalise = oneWaitAfterStop
	},
	// The Stage 3 solution as the upstream, the proxy, and the Stage 2
	// solution as the client, which types two lines, then Ctrl-D; once the
	// pair has ended (if the proxy gets that far), Ctrl-C in the proxy's
	// terminal.
	"stage2-through-proxy": stage2ThroughProxy,
	// Nothing on port 3000: nc is refused. Then nc -l 127.0.0.1 3000, and
	// another nc, which types bye and ends.
	"refused-then-leave": refusedThenLeave,
	// An upstream whose queue is full; the proxy; two nc clients; Ctrl-C.
	"hanging-upstream": hangingUpstream,
	// These show Python's http.server and curl, which the sessions do not
	// play yet.
	"curl":          notPlayed,
	"http10-nc":     notPlayed,
	"slow-download": notPlayed,
}

// notPlayed skips a session that shows programs the sessions do not play.
func notPlayed(s *Session) {
	s.must(&SkipError{"this session shows Python's http.server and curl, which the lessons tool does not play yet: " +
		"compare the block with a run by hand, as its comment describes"})
}

// proxy starts the recipe's proxy in t as go run ./stage4-proxy, on the
// session's port, relaying to the port up (shown as 3000), and waits for
// its first wait.
func (s *Session) proxy(t *terminal, up int) *proc {
	s.ports[up] = 3000
	p := t.start("go run ./stage4-proxy", true, s.program(), "-port", s.portArg(), "-upstream", "127.0.0.1:"+strconv.Itoa(up))
	p.waitFor("[DEBUG] Epoll wait")
	return p
}

// ncToProxy connects nc from t to the proxy p, and waits for the round
// that accepts it.
func (s *Session) ncToProxy(t *terminal, p *proc) *nc {
	c := t.nc("nc 127.0.0.1 8080")
	p.waitFor("[INFO] Client connected to proxy")
	p.waitFor("[DEBUG] Epoll wait")
	return c
}

// An ncListener plays nc -l 127.0.0.1 3000: a listener on a free port,
// shown as 3000, whose one connection is the terminal's.
type ncListener struct {
	*harness.Listener
	t *terminal
}

// ncListen starts nc -l in t.
func (t *terminal) ncListen() *ncListener {
	t.command("nc -l 127.0.0.1 3000")
	l, err := harness.Listen(t.tr)
	t.s.must(err)
	t.s.cleanup(func() { l.Close() })
	return &ncListener{Listener: l, t: t}
}

// accept takes the connection nc -l serves.
func (l *ncListener) accept() *nc {
	c, err := l.Accept(deadline, harness.Who(fmt.Sprintf("nc %d", l.t.n)))
	l.t.s.mustf(err, "waiting for the proxy's connection to the upstream")
	l.t.s.cleanup(func() { c.Close() })
	return &nc{Conn: c, t: l.t}
}

// relayLine types line into from, and waits for it to reach to, and for
// the round of the proxy p that relayed it.
func relayLine(p *proc, from, to *nc, line string) {
	from.typeLine(line)
	to.reply()
	p.waitFor("[DEBUG] Epoll wait")
}

func firstClient(s *Session) {
	upT, pT, cT := s.terminal(false), s.terminal(false), s.terminal(true)
	up := upT.ncListen()
	p := s.proxy(pT, up.Port())
	c := cT.nc("nc 127.0.0.1 8080")
	if s.r.Prog.Step >= 5 {
		p.waitFor("[INFO] Connected to upstream")
		p.waitFor("[DEBUG] Epoll wait")
		c.typeLine("hello")
	}
	p.exit()
	s.show(false, pT)
}

func stage2ThroughProxy(s *Session) {
	upT, pT, cT := s.terminal(false), s.terminal(false), s.terminal(true)
	upPort, err := harness.FreePort()
	s.must(err)
	s.ports[upPort] = 3000
	upT.start("go run ./stage3-epoll -port 3000", true, s.binaryOf("solutions/stage3-epoll"), "-port", strconv.Itoa(upPort)).
		waitFor("[DEBUG] Epoll wait")
	p := s.proxy(pT, upPort)
	cl := cT.start("go run ./stage2-client", true, s.binaryOf("solutions/stage2-client"), "-port", s.portArg())
	cl.waitFor("[INFO] Connected to server")
	p.waitFor("[INFO] Connected to upstream")
	p.waitFor("[DEBUG] Epoll wait")
	for _, l := range []string{"hello through the proxy", "and back"} {
		cl.typeLine(l)
		cl.waitFor("[SERVER MESSAGE] ")
		p.waitFor("[DEBUG] Epoll wait") // the line, on its way to the upstream
		p.waitFor("[DEBUG] Epoll wait") // its reply, on its way back
	}
	cl.ctrlD()
	cl.exit()
	if s.r.Prog.Kind == "step" {
		p.exit() // it stops at Step 8
		return
	}
	p.waitFor("[INFO] Client disconnected")
	p.waitFor("[DEBUG] Epoll wait")
	p.ctrlC()
	p.waitFor("[INFO] Proxy shutting down")
	p.exit()
	s.normalise = oneWaitAfterStop
}

func refusedThenLeave(s *Session) {
	upT, pT, cT := s.terminal(false), s.terminal(false), s.terminal(true)
	port, err := harness.ReservePort(upT.tr)
	s.must(err)
	s.cleanup(func() { port.Close() })
	p := s.proxy(pT, port.Port())
	refused := s.ncToProxy(cT, p)
	p.waitFor("[WARN] Cannot connect to upstream")
	p.waitFor("[DEBUG] Epoll wait")
	_, err = refused.ReadToEOF(deadline)
	s.must(err)
	refused.Close()

	upT.command("nc -l 127.0.0.1 3000")
	l, err := port.Listen()
	s.must(err)
	s.cleanup(func() { l.Close() })
	c := s.ncToProxy(s.terminal(true), p)
	u := (&ncListener{Listener: l, t: upT}).accept()
	p.waitFor("[INFO] Connected to upstream")
	p.waitFor("[DEBUG] Epoll wait")
	relayLine(p, c, u, "bye")
	c.Close() // Ctrl-C in nc's terminal
	p.exit()
	s.show(false, pT)
}

func hangingUpstream(s *Session) {
	upT, pT := s.terminal(false), s.terminal(false)
	l, err := harness.ListenHanging(upT.tr)
	s.must(err)
	s.cleanup(func() { l.Close() })
	filler, err := harness.Dial(l.Addr(), "nc", upT.tr)
	s.must(err)
	s.cleanup(func() { filler.Close() })
	p := s.proxy(pT, l.Port())
	s.terminal(true).nc("nc 127.0.0.1 8080")
	waitConnecting(s, l.Port())
	s.terminal(true).nc("nc 127.0.0.1 8080")
	if s.r.Prog.Kind == "mistake" {
		// Asleep in connect(2): it prints nothing more, Ctrl-C included.
		p.ctrlC()
		s.show(false, pT)
		return
	}
	p.waitFor("[INFO] Client connected to proxy")
	p.waitFor("[INFO] Client connected to proxy")
	p.waitFor("[DEBUG] Epoll wait")
	p.ctrlC()
	p.waitFor("[INFO] Proxy shutting down")
	p.exit()
	s.show(false, pT)
	s.normalise = oneWaitAfterStop
}

// waitConnecting waits until a connect(2) to port is on its way (the
// kernel's SYN_SENT), whatever the proxy prints.
func waitConnecting(s *Session, port int) {
	end := time.Now().Add(harness.Scaled(deadline))
	for time.Now().Before(end) {
		socks, err := harness.TCPSocketsIn(harness.TCPSynSent)
		s.must(err)
		for _, k := range socks {
			if int(k.Remote.Port()) == port {
				return
			}
		}
		time.Sleep(time.Millisecond) // polling the kernel: nothing to wait on
	}
	s.must(fmt.Errorf("no connection to port %d was on its way after %v", port, harness.Scaled(deadline)))
}

// oneWaitAfterStop is oneWaitAfterSignal for the proxy: Ctrl-C may cost
// one more round of its loop before its shutting-down line.
func oneWaitAfterStop(lines []string) []string {
	var out []string
	for i := 0; i < len(lines); i++ {
		if lines[i] == "^C[DEBUG] Epoll wait" && i+1 < len(lines) && lines[i+1] == "[INFO] Proxy shutting down" {
			out = append(out, "^C"+lines[i+1])
			i++
			continue
		}
		out = append(out, lines[i])
	}
	return out
}

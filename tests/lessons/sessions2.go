package lessons

import (
	"regexp"
	"slices"
	"strings"
)

// Stage 2's sessions: the learner's finished Stage 1 server (the Stage 1
// solution, shown as go run ./stage1-server) in terminal 1, the client in
// terminal 2, and in the experiments more clients and other servers.
var stage2Sessions = map[string]sessionFunc{
	// The client connects, and stops at Step 2; the server sees it leave.
	"m1-connects": func(s *Session) {
		srv := s.stage1Server()
		s.bothEnd(srv, s.goRun(s.terminal(false), s.st.Dir, s.program()))
	},
	// Terminal 2 types hello; the client stops at Step 3. The block shows
	// terminal 2.
	"typed-line": typedHello(false),
	// Terminal 2 types hello; the line reaches the server, and the client
	// stops at Step 4. The block ends when both have exited.
	"line-sent": typedHello(true),
	// Terminal 2 pipes four lines into the client.
	"m2-piped": func(s *Session) {
		srv := s.stage1Server()
		t := s.terminal(false)
		cl := t.start(`printf 'hello\nh\xc3\xa9llo w\xc3\xb6rld\n\nbell\a here\n' | go run ./stage2-client`,
			true, s.program(), "-port", s.portArg())
		s.must(cl.WriteStdin("hello\nhéllo wörld\n\nbell\a here\n"))
		cl.ctrlD()
		s.bothEnd(srv, cl)
	},
	// Terminal 2 types hello, then Ctrl-D. The block shows terminal 2.
	"m3-stdin-ends": func(s *Session) {
		s.stage1Server()
		cl := s.client()
		cl.typeLine("hello")
		cl.waitFor("[SERVER MESSAGE] olleh")
		cl.ctrlD()
		cl.exit()
		s.show(false, s.terms[1])
	},
	// Terminal 2 types one; after the reply, Ctrl-C stops the server in
	// terminal 1; then terminal 2 types two.
	"m3-server-gone": func(s *Session) {
		srv := s.stage1Server()
		cl := s.client()
		cl.typeLine("one")
		cl.waitFor("[SERVER MESSAGE] eno")
		srv.waitFor("[CLIENT MESSAGE] one") // read before the ^C that follows it
		srv.ctrlC()
		srv.exit()
		cl.typeLine("two")
		cl.exit()
		s.show(true, s.terms...)
	},
	// Two clients on the Stage 1 server: the second is connected but never
	// served, and reset when the first leaves. The block shows terminal 3.
	"two-clients": func(s *Session) {
		srv := s.stage1Server()
		second := s.secondWaits()
		srv.exit()
		second.exit()
		s.show(false, s.terms[2])
	},
	// The same on the iterative server, until the second client, served
	// once the first leaves, leaves too. The block shows terminal 1.
	"iterative-server": func(s *Session) {
		srv := s.iterativeServer()
		second := s.secondWaits()
		second.waitFor("[SERVER MESSAGE] ereht ih")
		second.ctrlD()
		second.exit()
		srv.waitFor("[INFO] Client disconnected")
		srv.waitFor("[INFO] Client disconnected")
		s.show(false, s.terms[0])
	},
	// Five clients at once on the iterative server, each holding on for
	// 200 ms. The block shows terminal 2.
	"multi-client-iterative": func(s *Session) {
		s.iterativeServer()
		s.multiClient("-n", "5", "-hold", "200ms")
	},
	// Five clients at once on the Stage 1 server: one is served, and the
	// others are refused or reset, depending on when each connects.
	"multi-client-stage1": func(s *Session) {
		s.stage1Server()
		s.multiClient("-n", "5")
	},
}

// secondWaits starts two clients in terminals of their own: the first
// types hello and gets its reply; the second types hi there; then the
// first ends, with Ctrl-D. It returns the second.
func (s *Session) secondWaits() *proc {
	first := s.client()
	first.typeLine("hello")
	first.waitFor("[SERVER MESSAGE] olleh")
	second := s.client()
	second.typeLine("hi there")
	first.ctrlD()
	first.exit()
	return second
}

// iterativeServer starts the iterative server of the experiments in a
// terminal of its own.
func (s *Session) iterativeServer() *proc {
	const dir = "solutions/experiments/iterative-server"
	return s.server(s.terminal(false), dir, s.binaryOf(dir))
}

// typedHello returns a session in which terminal 2 types hello into the
// client, and the block ends when the client has exited: the block shows
// terminal 2 alone, or, with both, the server's terminal too once it has
// exited.
func typedHello(both bool) sessionFunc {
	return func(s *Session) {
		srv := s.stage1Server()
		cl := s.client()
		cl.typeLine("hello")
		if both {
			s.bothEnd(srv, cl)
			return
		}
		cl.exit()
		s.show(false, cl.t)
	}
}

// bothEnd waits for the client and then the server to exit, and shows
// both terminals.
func (s *Session) bothEnd(srv, cl *proc) {
	cl.exit()
	srv.exit()
	s.show(true, s.terms...)
}

// stage1Server starts the Stage 1 solution, standing for the learner's
// finished server, as go run ./stage1-server in a terminal of its own.
func (s *Session) stage1Server() *proc {
	return s.server(s.terminal(false), "stage1-server", s.binaryOf("solutions/stage1-server"))
}

// client starts the recipe's client in a terminal of its own, as go run
// ./stage2-client, where lines are typed; it waits until it has connected.
func (s *Session) client() *proc {
	p := s.goRun(s.terminal(true), s.st.Dir, s.program())
	p.waitFor("[INFO] Connected to server")
	return p
}

// multiClient runs the multi-client experiment with args in a terminal of
// its own, until it exits, and shows that terminal alone. Which client is
// served when, and how long each waits, changes from run to run: the
// comparison sees the clients' lines in order, without their numbers, and
// a client not served as not served, refused or reset.
func (s *Session) multiClient(args ...string) {
	p := s.goRun(s.terminal(false), "solutions/experiments/multi-client", s.binaryOf("solutions/experiments/multi-client"), args...)
	p.exit()
	s.show(false, p.t)
	s.normalise = func(lines []string) []string {
		out := slices.Clone(lines)
		first, last := -1, -1
		for i, l := range out {
			if strings.HasPrefix(l, "[SERVED]") || strings.HasPrefix(l, "[NOT SERVED]") {
				out[i] = notServed.ReplaceAllString(clientNumber.ReplaceAllString(l, "client N"), "$1 (refused or reset)")
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if first >= 0 {
			slices.Sort(out[first : last+1])
		}
		return out
	}
}

var (
	clientNumber = regexp.MustCompile(`client \d+`)
	notServed    = regexp.MustCompile(`^(\[NOT SERVED\] client N): .*$`)
)

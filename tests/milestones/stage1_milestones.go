package milestones

import (
	"math/rand/v2"

	"workbook/tests/harness"
)

// Stage 1's milestones: the server listens, accepts one client, answers its
// lines, and ends when the client leaves.

// connectClient starts the server, connects a client and waits for the
// connected line: the part every Stage 1 check begins with.
func connectClient(t *T, args ...string) (*Server, *harness.Conn) {
	srv := t.StartServer(s1Bind, args...)
	c := t.Dial(srv, s1Bind)
	t.ExpectLine(srv.Process, ConnectedLine, s1Accept)
	return srv, c
}

func header(srv *Server) []string {
	return []string{ListeningLine(srv.Port), ConnectedLine}
}

func s1ListensAndAccepts(t *T) {
	srv, _ := connectClient(t)
	t.ExpectOutput(srv.Process, header(srv), s1Accept)
}

func s1Reverses(t *T) {
	srv, c := connectClient(t)
	want := header(srv)
	want = append(want, t.Exchange(c, s1Answer, "hello\n")...)
	seed := rand.Uint64()
	t.Notef("sending 100 random lines, one at a time (seed %d)", seed)
	want = append(want, t.Exchange(c, s1Answer, randomLines(rand.New(rand.NewPCG(seed, 0)), 100)...)...)
	t.ExpectOutput(srv.Process, want, s1Answer)
}

func s1EndsWhenClientLeaves(t *T) {
	srv, c := connectClient(t)
	want := append(header(srv), t.Exchange(c, s1Answer, "abc\n")...)
	c.Close()
	t.ExpectOutput(srv.Process, append(want, ClosingLine), s1Leave)
	t.ExpectExit(srv.Process, 1, s1Leave)
}

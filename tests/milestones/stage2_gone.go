package milestones

import "strings"

// Stage 2's challenges about a server that goes: with a reset, or in the
// middle of a reply.

// s2Reset is about errors from sending: Milestone 3 already has the server
// reset the connection while the client waits for a reply.
func s2Reset(t *T) {
	t.Notef("the server resets the connection while the client waits for stdin")
	p, srv := connectedClient(t)
	want := append([]string{ClientConnectedLine}, trade(t, p, srv, "abc\n")...)
	srv.Reset()
	t.WriteStdin(p, "def\n")
	expectGone(t, p, want)

	t.Notef("the server closes; then a 4 MB line goes into the closed connection, which fails with EPIPE")
	p, srv = connectedClient(t)
	want = append([]string{ClientConnectedLine}, trade(t, p, srv, "abc\n")...)
	srv.Close()
	// Written while the client runs; once the client has exited, the
	// write fails and the goroutine ends.
	go p.WriteStdin(strings.Repeat("x", 4<<20) + "\n")
	expectGone(t, p, want)
}

func s2CutOff(t *T) {
	p, srv := connectedClient(t)
	typeLine(t, p, srv, "def\n")
	srv.Send("fe")
	srv.Close()
	t.ExpectLine(p, ServerMessagePrefix+"fe", s2Gone)
	expectGone(t, p, []string{ClientConnectedLine, ServerMessagePrefix + "fe"})
}

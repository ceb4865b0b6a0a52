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

// s2CutOff is about what next returns when the connection ends: the part
// of a reply that arrived before the end, for talk to print.
func s2CutOff(t *T) {
	p, srv := connectedClient(t)
	typeLine(t, p, srv, "def\n")
	t.Notef("the server sends part of the reply, then closes the connection")
	srv.Send("fe")
	srv.Close()
	want := ServerMessageLine("fe")
	got, err := p.NextLine(waitOutput)
	if err != nil {
		t.failWaiting(p, err, want, s2Reply)
	}
	if got != want {
		t.Fail(Failure{
			Summary: "the server sent part of a reply (\"sent\" below), then closed the connection, and the client did not print that part as the server's message",
			Sent:    "fe",
			Want:    want,
			Got:     got,
			Step:    s2Reply,
			Hint:    lineHint(want, got),
		})
	}
	expectGone(t, p, []string{ClientConnectedLine, want})
}

package milestones

import (
	"fmt"
	"strconv"

	"workbook/tests/harness"
)

// Stage 3's challenges about clients leaving: every way out ends in
// EPOLL_CTL_DEL and close(2), and leaves nothing behind.

func s3Reset(t *T) {
	srv := startLoop(t)
	bystander := dialAndWait(t, srv, 1)
	c := dialAndWait(t, srv, 2)
	want := []string{ListeningLine(srv.Port), ConnectedLine, ConnectedLine}
	want = append(want, t.Exchange(c, s3Serve, "abc\n")...)
	c.Send("half a li")
	c.Reset()
	waitCount(t, srv.Process, 1, isGone, strconv.Quote(DisconnectedLine), s3Serve, "")
	want = append(want, DisconnectedLine)
	want = append(want, t.Exchange(bystander, s3Serve, "still here\n")...)
	expectDetails(t, srv.Process, want, 0, s3Serve)
	expectSockets(t, srv, 2, s3Serve, "Close the socket of a client that reset its connection, after taking it out of epoll.")
}

func s3NoLeaks(t *T) {
	const rounds, per = 20, 100
	srv := startLoop(t)
	start, err := harness.OpenSockets(srv.Pid())
	if err != nil {
		t.Failf("could not count the server's sockets: %v", err)
	}
	t.Notef("the server has %d socket open; %d clients now come and go, %d at a time, leaving in four different ways", start, rounds*per, per)
	done := t.Busy()
	for r := range rounds {
		clients := make([]*harness.Conn, per)
		for i := range clients {
			clients[i] = t.Dial(srv, s3Watch)
		}
		for i, c := range clients {
			c.Send(fmt.Sprintf("round %d, client %d\n", r, i))
		}
		for i, c := range clients {
			line := fmt.Sprintf("round %d, client %d\n", r, i)
			t.ExpectReply(c, line, reply(line), s3Serve)
		}
		for i, c := range clients {
			leave(t, c, i%4)
		}
	}
	t.Notef("and three clients that send without reading until the server stops reading them, then reset")
	lines, _ := numberedLines(16 << 10)
	var stalled []*harness.Conn
	var senders []*sender
	for range 3 {
		c := dialSlowReader(t, srv)
		stalled = append(stalled, c)
		senders = append(senders, sendInBackground(c, lines, nil))
	}
	for _, s := range senders {
		s.waitStuck(t, srv.Pid())
	}
	done()
	for _, c := range stalled {
		c.Reset()
	}
	waitCount(t, srv.Process, rounds*per+len(stalled), isGone, strconv.Quote(DisconnectedLine), s3Serve, "")
	expectSockets(t, srv, start, s3Serve, "Some way of leaving skips the close: every client that goes must end with EPOLL_CTL_DEL, "+
		"then close(2). That includes a client whose write(2) fails (EPIPE, ECONNRESET).")
	expectWatched(t, srv, start, s3Epoll)
}

// leave has client c leave the server in one of four ways, by number.
func leave(t *T, c *harness.Conn, way int) {
	switch way {
	case 0: // the usual way
		c.Close()
	case 1: // abruptly: a reset
		c.Reset()
	case 2: // a half-close, then waiting for the server to close
		c.CloseWrite()
		if _, err := c.ReadToEOF(waitReply); err != nil {
			t.Fail(Failure{
				Summary: fmt.Sprintf("after %s closed its sending side, the server did not close the connection", c.Name()),
				Step:    s3Serve,
				Hint:    "At end of file, with nothing left to write, drop the client: EPOLL_CTL_DEL, then close(2).",
			})
		}
		c.Close()
	case 3: // in the middle of a line
		c.Send("unfinis")
		c.Close()
	}
}

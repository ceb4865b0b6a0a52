package milestones

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"workbook/tests/harness"
)

// Stage 3's milestones: the loop is up, serves many clients at once, and
// goes on when one of them leaves.

func s3LoopUp(t *T) {
	srv := startLoop(t)
	expectWatched(t, srv, 1, s3Epoll)
}

func s3TwoThenTen(t *T) {
	srv := startLoop(t)
	want := twoClientsTakeTurns(t, srv)
	expectDetails(t, srv.Process, want, 0, s3Serve)
	expectWatched(t, srv, 3, s3Epoll)

	t.Notef("ten more clients connect, then all of them send at once")
	var ten []*harness.Conn
	for i := range 10 {
		ten = append(ten, dialAndWait(t, srv, 3+i))
		want = append(want, ConnectedLine)
	}
	var messages []string
	for i, c := range ten {
		line := fmt.Sprintf("client %d was here\n", i+3)
		if err := c.Send(line); err != nil {
			t.Failf("%s could not send: %v", c.Name(), err)
		}
		messages = append(messages, MessageLine(line))
	}
	for i, c := range ten {
		line := fmt.Sprintf("client %d was here\n", i+3)
		t.ExpectReply(c, line, reply(line), s3Serve)
	}
	expectDetails(t, srv.Process, append(want, messages...), len(messages), s3Serve)
	expectWatched(t, srv, 13, s3Epoll)
	expectBackToWaiting(t, srv.Process)
}

// twoClientsTakeTurns is the first half of Milestone 2: two clients take
// turns, send two lines in one write, and send one line each while the
// other's is unfinished. It returns the lines the server should have
// printed so far, [DEBUG] lines left out.
func twoClientsTakeTurns(t *T, srv *Server) []string {
	c1 := dialAndWait(t, srv, 1)
	c2 := dialAndWait(t, srv, 2)
	want := []string{ListeningLine(srv.Port), ConnectedLine, ConnectedLine}

	t.Notef("the two clients take turns")
	want = append(want, t.Exchange(c1, s3Serve, "hello from one\n")...)
	want = append(want, t.Exchange(c2, s3Serve, "hello from two\n")...)
	t.Notef("two lines in one write")
	c1.Send("abc\ndef\n")
	t.ExpectReply(c1, "abc\ndef\n", "cba\n", s3Serve)
	got, err := c1.ReadLine(waitReply)
	if err != nil || got != "fed\n" {
		t.Fail(Failure{
			Summary: "client 1 sent two lines in one write and got only the first one answered",
			Sent:    "abc\ndef\n",
			Want:    "fed\n",
			Got:     got,
			Step:    s3Serve,
			Hint: "One read may bring several lines: after lines.write, call lines.next() in a loop and answer every line it returns. " +
				"Epoll will not report those bytes again: they have been read.",
		})
	}
	want = append(want, MessageLine("abc\n"), MessageLine("def\n"))
	t.Notef("client 2 starts a line, client 1 sends one, client 2 ends its line")
	c2.Send("par")
	// The pause synchronises nothing: it only makes it likely that the
	// server reads "par" before "x\n", which shows up a server that keeps
	// one line buffer for all its clients.
	time.Sleep(50 * time.Millisecond)
	c1.Send("x\n")
	got, err = c1.ReadLine(waitReply)
	if err == nil && got != "x\n" && (strings.Contains(got, "rap") || strings.Contains(got, "par")) {
		t.Fail(Failure{
			Summary: "client 1 got part of client 2's line in its reply",
			Sent:    "x\n",
			Want:    "x\n",
			Got:     got,
			Step:    s3Serve,
			Hint:    "Client 2's unfinished \"par\" ended up in client 1's reply: each client needs its own lineBuffer, kept in its entry of the clients table.",
		})
	}
	t.checkReply(c1, "x\n", "x\n", got, err, s3Serve)
	want = append(want, MessageLine("x\n"))
	c2.Send("tial\n")
	t.ExpectReply(c2, "tial\n", "laitrap\n", s3Serve)
	return append(want, MessageLine("partial\n"))
}

func s3ClientLeaves(t *T) {
	srv := startLoop(t)
	c1 := dialAndWait(t, srv, 1)
	c2 := dialAndWait(t, srv, 2)
	want := []string{ListeningLine(srv.Port), ConnectedLine, ConnectedLine}
	want = append(want, t.Exchange(c1, s3Serve, "one\n")...)
	want = append(want, t.Exchange(c2, s3Serve, "two\n")...)

	t.Notef("client 1 leaves")
	c1.Close()
	if _, err := srv.WaitCount(waitOutput, 1, isGone); err != nil {
		if exit := srv.Exited(); exit != nil {
			failServerEnded(t, srv, *exit)
		}
		waitCount(t, srv.Process, 1, isGone, strconv.Quote(DisconnectedLine), s3Serve, "")
	}
	want = append(want, DisconnectedLine)
	want = append(want, stillServing(t, srv, c2, "still there?\n"))
	c3 := dialAndWait(t, srv, 3)
	want = append(want, ConnectedLine)
	want = append(want, t.Exchange(c3, s3Serve, "new here\n")...)

	t.Notef("client 2 leaves abruptly")
	c2.Reset()
	waitCount(t, srv.Process, 2, isGone, strconv.Quote(DisconnectedLine), s3Serve,
		"A read error such as ECONNRESET also means the client has gone: drop it like at end of file.")
	want = append(want, DisconnectedLine)
	want = append(want, stillServing(t, srv, c3, "and still here\n"))
	expectDetails(t, srv.Process, want, 0, s3Serve)
	expectIdle(t, srv, idleServer{clients: 1, steps: s3Epoll, step: s3Serve,
		hint: "A client that has gone stays readable (end of file) for as long as its socket is watched: " +
			"remove it from epoll with EPOLL_CTL_DEL, then close it."})
	expectSockets(t, srv, 2, s3Serve, "Close each client's socket once it has gone (after EPOLL_CTL_DEL); a socket left open is a descriptor leaked.")
}

package milestones

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"workbook/tests/harness"
)

// Stage 3's challenge about a half-close: a client that has stopped sending
// has not stopped reading, and gets every reply.

// halfCloseLines is the most lines the half-close check sends: far more
// than the kernel's buffers on the way hold, in case the server never
// shows that it holds replies of its own.
const halfCloseLines = 16 << 10 // lines of 1 KiB: 16 MiB

// halfCloseAhead is how many lines the check sends beyond those the server
// has answered. It keeps what the server has still to read small, so that
// the server reads its end of file soon after the check sends it, without
// stopping to wait for the check to read (which it does once its pending
// replies pass a limit).
const halfCloseAhead = 64

func s3HalfClose(t *T) {
	// Not -quiet: the [CLIENT MESSAGE] lines say how far the server has read.
	srv := startLoop(t)
	c := dialSlowReader(t, srv)
	waitCount(t, srv.Process, 1, isConnected, "connected", s3Accept, "")
	fd := newestSocket(t, srv) // the server's end of the connection
	lines, replies := numberedLines(halfCloseLines)

	// The check reads nothing until the server has read the end of file.
	// Then the server holds replies that neither the socket nor the
	// client's receive buffer has room for, and must keep them until the
	// client reads, however many times it is woken meanwhile.
	done := t.Busy()
	sent := fillServer(t, srv, c, fd, lines)
	t.Notef("%s has sent %d KiB of lines; it now sends an unfinished line and closes its sending side", c.Name(), sent)
	if err := c.Send("partial"); err != nil {
		t.Failf("%s could not send: %v", c.Name(), err)
	}
	if err := c.CloseWrite(); err != nil {
		t.Failf("%s could not close its sending side: %v", c.Name(), err)
	}
	done()
	if waitAwake(srv, 1, func(s string) bool { return s == MessageLine("partial") }) {
		expectNotReadingAtEOF(t, srv, c, fd)
	} else {
		// A server that has stopped reading from the client (its replies
		// are over its limit) reads the end of file once the client reads.
		t.Notef("the server has not answered the unfinished line, and waits: %s reads now", c.Name())
	}

	want := replies[:sent*lineSize] + "laitrap"
	got, err := readAll(t, c, len(want))
	if err == nil {
		var more string
		more, err = c.ReadToEOF(waitReply)
		got += more
	}
	if err != nil || got != want {
		t.Fail(halfCloseFailure(c, want, got, err))
	}
}

// fillServer sends lines (numberedLines') on c, whose socket is fd in the
// server, never more than halfCloseAhead beyond those the server has
// answered, and reads none of the replies. It stops once the server holds
// replies it cannot write (it asks epoll for EPOLLOUT), or has stopped
// reading from c (it no longer asks for EPOLLIN), or answers no more
// lines and waits, or every line is sent, and returns how many it sent.
func fillServer(t *T, srv *Server, c *harness.Conn, fd int, lines string) int {
	isMessage := func(s string) bool { return strings.HasPrefix(s, MessagePrefix) }
	n := len(lines) / lineSize
	sent := 0
	for sent < n {
		answered := srv.CountLines(isMessage)
		if ahead := min(n, answered+halfCloseAhead); sent < ahead {
			if err := c.Send(lines[sent*lineSize : ahead*lineSize]); err != nil {
				t.Failf("%s could not send: %v", c.Name(), err)
			}
			sent = ahead
		}
		events, ok := interestOf(t, srv, fd, s3Epoll)
		if ok && events&(syscall.EPOLLIN|syscall.EPOLLOUT) == 0 {
			t.Fail(Failure{
				Summary: fmt.Sprintf("the server stopped reading from %s after %d KiB of its lines, "+
					"and watches its socket (descriptor %d) for nothing at all", c.Name(), sent, fd),
				Want: "EPOLLOUT among the socket's events (/proc/PID/fdinfo of the epoll instance)",
				Got:  eventNames(events),
				Step: s3Pending,
				Hint: "The server holds replies for this client and no longer reads from it, so only EPOLLOUT can wake it for this client again: " +
					"ask for EPOLLOUT while replies are waiting, and write the rest when it comes.",
			})
		}
		if !ok || events&syscall.EPOLLOUT != 0 || events&syscall.EPOLLIN == 0 {
			break // (a client no longer watched has been dropped: the replies will tell)
		}
		// The next answer, or a moment to look at the interest again.
		if !waitAwake(srv, answered+1, isMessage) {
			break // the server takes no more lines before the client reads
		}
	}
	return sent
}

// expectNotReadingAtEOF checks that the server, which has read the end of
// file from c, no longer asks epoll for EPOLLIN on c's socket, fd: a socket at
// end of file stays readable for ever, so a level-triggered loop that
// still asks would read the end of file again and again, and spin.
func expectNotReadingAtEOF(t *T, srv *Server, c *harness.Conn, fd int) {
	events, ok := interestOf(t, srv, fd, s3Epoll)
	if !ok || events&syscall.EPOLLIN == 0 || events&epollET != 0 {
		return
	}
	t.Fail(Failure{
		Summary: fmt.Sprintf("after reading the end of file from %s, the server still asks epoll for EPOLLIN on its socket (descriptor %d)", c.Name(), fd),
		Want:    "no EPOLLIN among the socket's events (/proc/PID/fdinfo of the epoll instance)",
		Got:     eventNames(events),
		Step:    s3Pending,
		Hint: "A socket at end of file stays readable for ever, so while the server still asks for EPOLLIN, " +
			"every round of the loop reads end of file once more, and answers c.lines.rest() once more: it spins. " +
			"Once c.eof is set, stop asking for EPOLLIN: that is in interest.",
	})
}

// halfCloseFailure says what went wrong when, after its half-close, c
// should have got want and then end of file, and got got, then err.
func halfCloseFailure(c *harness.Conn, want, got string, err error) Failure {
	i := firstDiff(got, want)
	f := Failure{
		Summary: fmt.Sprintf("after its half-close, %s should get every reply (%d bytes), then end of file; it got %d bytes, then %v",
			c.Name(), len(want), len(got), errOrEOF(err)),
		Want: want[i:min(i+100, len(want))],
		Got:  got[i:min(i+100, len(got))],
		Step: s3Pending,
	}
	switch {
	case !errors.Is(err, harness.ErrTimeout) && strings.HasPrefix(want, got):
		f.Summary = fmt.Sprintf("the server closed the connection after %d of the %d bytes of replies", len(got), len(want))
		f.Hint = "At end of file the server still had replies to write, and closed anyway: " +
			"mark the client as done sending, stop reading from it, and close only once its output is empty."
	case len(got) > len(want) && strings.HasPrefix(got, want):
		f.Summary = fmt.Sprintf("after every reply (%d bytes), %s got %d bytes more", len(want), c.Name(), len(got)-len(want))
		f.Hint = "The unfinished line was answered again and again. " +
			"A socket at end of file stays readable for ever, so while the server still asks for EPOLLIN, " +
			"every event reads end of file once more and answers c.lines.rest() once more. " +
			"Once c.eof is set, stop asking for EPOLLIN: that is in interest."
	}
	return f
}

package milestones

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"workbook/tests/harness"
)

// Stage 4's milestones: a client's bytes reach the upstream; bytes flow
// both ways for many pairs at once; pairs end, in every way, and the proxy
// goes on.

func s4BytesReachUpstream(t *T) {
	up := t.listenUpstream()
	srv := startProxy(t, up.Addr())
	c, u := pairUp(t, srv, up, 1)
	expectWatched(t, srv, 3, s4Epoll)
	t.Notef("the client sends its bytes in two writes")
	c.SendPieces(20*time.Millisecond, "hello, ", "upstream\n")
	got, err := u.ReadFull(len("hello, upstream\n"), waitReply)
	if err != nil || got != "hello, upstream\n" {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the client sent 16 bytes in two writes, and the upstream got %d bytes, then %s", len(got), errOrEOF(err)),
			Sent:    "hello, upstream\n",
			Want:    "hello, upstream\n",
			Got:     got,
			Step:    s4Relay,
		})
	}
	expectDetails(t, srv.Process, []string{ProxyListeningLine(srv.Port, up.Addr()), ProxyConnectedLine, UpstreamConnectedLine}, 0, s4Connected)
}

func s4BothWays(t *T) {
	s4ManyLines(t)
	s4ManyDownloads(t)
}

// s4ManyLines is the first half of Milestone 2: ten clients of a line
// reverser, their lines interleaved, each getting its own lines back.
func s4ManyLines(t *T) {
	rev := t.lineReverser()
	srv := startProxy(t, rev.Addr())
	var clients []*harness.Conn
	for i := range 10 {
		clients = append(clients, dialProxy(t, srv, i+1))
	}
	waitCount(t, srv.Process, 10, isUpstreamConnected, strconv.Quote(UpstreamConnectedLine), s4Connected, "")
	t.Notef("each client sends three lines, each in two pieces, all of them taking turns")
	line := func(i, r int) string { return fmt.Sprintf("line %d of client %d, through the proxy\n", r+1, i+1) }
	for r := range 3 {
		for i, c := range clients {
			c.Send(line(i, r)[:10])
		}
		for i, c := range clients {
			c.Send(line(i, r)[10:])
		}
	}
	for i, c := range clients {
		for r := range 3 {
			t.ExpectReply(c, line(i, r), reply(line(i, r)), s4Relay)
		}
	}
	if n := rev.accepted.Load(); n != 10 {
		t.Fail(Failure{
			Summary: fmt.Sprintf("for 10 clients the upstream got %d connections: each client needs one of its own", n),
			Want:    "10",
			Got:     fmt.Sprint(n),
			Step:    s4Pair,
		})
	}
}

// downloadSize is the size of the file Milestone 2 fetches over HTTP: far
// more than the kernel holds in the proxy's socket towards a client that
// does not read (4 MiB at most, tcp_wmem), so that the proxy has to keep
// bytes for it.
const downloadSize = 16 << 20

// s4ManyDownloads is the second half of Milestone 2: two clients fetch a
// file through the proxy from an HTTP server, byte for byte, at the same
// time. The first reads nothing at first, until the proxy has to hold
// bytes for it, then all of it, and another file on the same connection.
func s4ManyDownloads(t *T) {
	file, small := streamAt(0, downloadSize), streamAt(downloadSize, 100_000)
	fs := t.serveFiles(map[string][]byte{"/big.txt": file, "/small.txt": small})
	srv := startProxy(t, fs.addr)
	slow, err := harness.DialWithReceiveBuffer(srv.Addr(), t.nextClient(), t.tr, 4096)
	if err != nil {
		t.Failf("could not connect to the proxy: %v", err)
	}
	t.Cleanup(func() { slow.Close() })
	t.Notef("%s asks for the file and reads nothing for now", slow.Name())
	slow.Send(getRequest("/big.txt"))
	c := t.Dial(srv, s4Addr)
	c.Send(getRequest("/big.txt"))
	expectFile(t, srv, fs, c, file, "/big.txt")
	fs.sending.waitStuck(t, srv.Pid())
	t.Notef("the upstream sends no more: the proxy holds what %s has not taken", slow.Name())
	expectIdle(t, srv, idleServer{clients: 4, writing: 1, steps: s4Epoll, step: s4Pressure,
		hint: fmt.Sprintf("While bytes wait for %s, the upstream's socket stays readable: "+
			"ask for no EPOLLIN on it until they are written (interest), or the loop spins.", slow.Name())})
	t.Notef("%s now reads", slow.Name())
	expectFile(t, srv, fs, slow, file, "/big.txt")
	t.Notef("and asks for another file, on the same connection")
	slow.Send(getRequest("/small.txt"))
	expectFile(t, srv, fs, slow, small, "/small.txt")
}

// expectFile reads a response on c and fails unless it is 200 OK with
// file as its body. fs is the upstream that serves it.
func expectFile(t *T, srv *Server, fs *fileServer, c *harness.Conn, file []byte, path string) {
	loops := srv.CountLines(isDebug)
	r, err := readResponse(t, c)
	if err == nil && r.status == "HTTP/1.1 200 OK" && r.body == string(file) {
		t.Notef("%s got %s, %d bytes, all of them right", c.Name(), path, len(r.body))
		return
	}
	settle(srv) // what the proxy printed about it, on its way
	f := Failure{
		Summary: fmt.Sprintf("%s asked for %s (%d bytes) over HTTP/1.1 through the proxy: %v", c.Name(), path, len(file), err),
		Sent:    getRequest(path),
		Step:    s4Pressure,
		Hint: "Bytes that the receiver could not take at once were never written: " +
			"ask for EPOLLOUT on the receiver while they wait (interest), and write them in drain when it comes.",
	}
	switch {
	case err == nil && r.status != "HTTP/1.1 200 OK":
		f.Summary = fmt.Sprintf("%s asked for %s over HTTP/1.1 through the proxy, and the response's status is not 200 OK", c.Name(), path)
		f.Want, f.Got, f.Step, f.Hint = "HTTP/1.1 200 OK", r.status, s4Relay, ""
	case err == nil || !strings.HasPrefix(string(file), r.body):
		// Bytes lost or changed on the way: relay's doing, whether the
		// body is whole or not. (A relay that drops what write did not
		// take loses bytes in the middle, so what comes after them is
		// different; a body that stops short with every byte right is
		// for the cases below.)
		i := firstDiff(r.body, string(file))
		f.Summary = fmt.Sprintf("%s got %s with its bytes right up to byte %d, then different ones", c.Name(), path, i)
		if err != nil {
			f.Summary += fmt.Sprintf(", and %v", err)
		}
		f.Want = string(file[i:min(i+100, len(file))])
		f.Got = r.body[i:min(i+100, len(r.body))]
		f.Step, f.Hint = s4Relay, bytesChanged
	case srv.CountLines(isPairGone) > 0:
		f.Step, f.Hint = endedEarly(srv)
	case len(file)-len(r.body) > 2*maxHeld && fs.allTaken():
		// Every byte right, but not all of them, though the proxy has
		// read them all from the upstream, far more than it may hold:
		// it left out the rest, once the client stopped taking them.
		f.Summary = fmt.Sprintf("%s got the first %d bytes of %s, all of them right, and then no more, "+
			"though the proxy had read every byte of it from the upstream", c.Name(), len(r.body), path)
		f.Step, f.Hint = s4Relay, bytesChanged
	case srv.CountLines(isDebug)-loops > 1000:
		f.Hint = fmt.Sprintf("Meanwhile the proxy went round its loop %d times: it spins. ", srv.CountLines(isDebug)-loops) +
			"While bytes wait for the receiver, ask for no EPOLLIN on the sender, whose socket stays readable; " +
			"ask for EPOLLOUT on the receiver instead, and write them in drain when it comes."
	}
	t.Fail(f)
}

// maxHeld is the most that a proxy holds for one direction of a pair: one
// read's worth, chunkSize in the skeleton's buffer.go.
const maxHeld = 64 << 10

// bytesChanged is the hint for a relayed stream with other bytes in it
// than the sender sent: some left out, or some overwritten.
const bytesChanged = "Bytes went missing or changed on the way. relay must pass on exactly s.buf[:n]: " +
	"what write did not take must wait in f.pending, copied into a buffer of its own (s.pool.get), " +
	"because the next read, for any pair, overwrites s.buf."

// endedEarly returns the Step and hint for a proxy that ended a pair
// though neither side had closed.
func endedEarly(srv *Server) (int, string) {
	if srv.CountLines(isProxyConnected) > srv.CountLines(isUpstreamConnected) {
		return s4Pair, "The proxy ended a pair before its upstream connection was up: the client had sent its request at once. " +
			"While the upstream connects, watch the client for nothing (0), not EPOLLIN: its early bytes wait in its socket, " +
			"and serve takes any event on the client then for the client having gone."
	}
	return s4Relay, "The proxy ended a pair in the middle of a response, though neither side had closed. " +
		"A socket that cannot take every byte now is not an error: write(2) then writes part, or says EAGAIN, " +
		"and the rest waits in pending until EPOLLOUT; only another error ends the pair."
}

func s4Endings(t *T) {
	s4RefusedOnce(t)
	up := t.listenUpstream()
	srv := startProxy(t, up.Addr())
	want := []string{ProxyListeningLine(srv.Port, up.Addr())}

	t.Notef("a client leaves")
	c, u := pairUp(t, srv, up, 1)
	relayed(t, c, u, "hello, upstream\n", s4Relay)
	relayed(t, u, c, "hello, client\n", s4Relay)
	c.Send("goodbye\n")
	c.Close()
	expectEnd(t, u, "goodbye\n", fmt.Sprintf("after %s closed its connection, ", c.Name()))
	eofRead := "The client's socket is at end of file, which stays readable for ever: " +
		"once out.eof is set, interest must ask for no EPOLLIN on it."
	expectNotReading(t, srv, c, s4HalfClose, eofRead)
	expectIdle(t, srv, idleServer{clients: 2, steps: s4Epoll, step: s4HalfClose, hint: eofRead})
	u.Close()
	expectPairGone(t, srv, 1, 24, 14, s4HalfClose, "Once both directions have ended (each flow's shut set), serve calls finish, "+
		"which prints the disconnect line: pass the upstream's end of file on with shutWrite too.")
	want = append(want, ProxyConnectedLine, UpstreamConnectedLine, PairGoneLine(24, 14))

	t.Notef("the upstream leaves")
	c, u = pairUp(t, srv, up, 2)
	relayed(t, c, u, "ping\n", s4Relay)
	u.Send("the upstream's last words\n")
	u.Close()
	expectEnd(t, c, "the upstream's last words\n", fmt.Sprintf("after %s closed its connection, ", u.Name()))
	c.Close()
	expectPairGone(t, srv, 2, 5, 26, s4HalfClose, "")
	want = append(want, ProxyConnectedLine, UpstreamConnectedLine, PairGoneLine(5, 26))

	t.Notef("a client sends a request and ends its sending, as nc -N does; the upstream answers after reading its end of file")
	sent, received := s4AnswerAfterEnd(t, srv, up, 3)
	want = append(want, ProxyConnectedLine, UpstreamConnectedLine, PairGoneLine(sent, received))

	t.Notef("the proxy goes on")
	c, u = pairUp(t, srv, up, 4)
	relayed(t, c, u, "still there?\n", s4Relay)
	relayed(t, u, c, "yes\n", s4Relay)
	c.Close()
	expectEnd(t, u, "", fmt.Sprintf("after %s closed its connection, ", c.Name()))
	u.Close()
	expectPairGone(t, srv, 4, 13, 4, s4HalfClose, "")
	want = append(want, ProxyConnectedLine, UpstreamConnectedLine, PairGoneLine(13, 4))
	expectIdle(t, srv, idleServer{steps: s4Epoll, step: s4Close, hint: "With every pair gone, nothing is ready: " +
		"closePair must take both sockets out of the interest list (EPOLL_CTL_DEL) before closing them."})
	expectSockets(t, srv, 1, s4Close, "closePair closes both of a pair's sockets, the client's and the upstream's, after EPOLL_CTL_DEL.")
	expectDetails(t, srv.Process, want, 0, s4Close)
}

// tcpTimeWait is TCP_TIME_WAIT, as the kernel numbers a TCP socket's
// states: the state of the end that sent its FIN first, once the other
// end's FIN has arrived.
const tcpTimeWait = 6

// s4AnswerAfterEnd is the part of Milestone 3 that an HTTP/1.0 request
// through nc -N needs: client n sends a request and ends its sending, and
// must still get the whole answer, which the upstream sends after reading
// that end of file, and then closes. The answer and the upstream's end of
// file reach the proxy in the same round (the proxy is paused meanwhile),
// as they do from an HTTP/1.0 server with a small file. It returns the
// bytes the disconnect line counts.
func s4AnswerAfterEnd(t *T, srv *Server, up *upstream, n int) (sent, received int64) {
	c, u := pairUp(t, srv, up, n)
	request, answer := "GET / HTTP/1.0\r\n\r\n", "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nthe whole answer\n"
	c.Send(request)
	c.CloseWrite()
	expectEnd(t, u, request, fmt.Sprintf("after %s sent its request and closed its sending side, ", c.Name()))
	if err := srv.Pause(); err != nil {
		failIfEnded(t, srv, s4HalfClose)
		t.Failf("could not pause the proxy: %v", err)
	}
	t.Cleanup(func() { srv.Resume() })
	u.Send(answer)
	u.Close()
	// The proxy's end of the upstream connection: its FIN answered, or
	// gone (a socket that reads no more is reset by arriving bytes).
	waitKernel(t, u.RemoteAddr(), u.LocalAddr(), func(s harness.TCPSocket, ok bool) bool {
		return !ok || s.State == tcpTimeWait || s.State == harness.TCPClose
	})
	t.Notef("the answer and the upstream's end of file have reached the proxy; it goes on")
	if err := srv.Resume(); err != nil {
		t.Failf("could not resume the proxy: %v", err)
	}
	got, err := c.ReadToEOF(waitReply)
	if err != nil || got != answer {
		t.Fail(answerLost(c, answer, got, err))
	}
	c.Close()
	expectPairGone(t, srv, n, int64(len(request)), int64(len(answer)), s4HalfClose, "")
	return int64(len(request)), int64(len(answer))
}

// answerLost is the failure for client c, which had ended its sending and
// should then have got answer and an end of file; it got got, then err.
func answerLost(c *harness.Conn, answer, got string, err error) Failure {
	f := Failure{
		Summary: fmt.Sprintf("%s ended its sending, and then should get the upstream's answer, %d bytes, and end of file; it got %d bytes, then %s",
			c.Name(), len(answer), len(got), errOrEOF(err)),
		Want: answer,
		Got:  got,
		Step: s4HalfClose,
		Hint: "End of file from one side is passed on, after the bytes before it: shutdown(SHUT_WR) the other side, " +
			"and keep relaying the other direction until it ends as well.",
	}
	switch {
	case got == "" && err != harness.ErrTimeout:
		f.Hint = "The client's end of file ends the client's direction only: shutdown(SHUT_WR) the upstream's socket " +
			"(SHUT_RDWR, or close(2), would end the proxy's reading from it too), " +
			"and keep relaying what the upstream sends until its own end of file."
	case got == answer && err != harness.ErrTimeout:
		f.Hint = "The whole answer came, and then a reset, not an end of file: the pair was aborted at the upstream's end of file. " +
			"shutWrite must set f.shut once it has shut the receiver, so that exchange shuts each side once, " +
			"and serve finishes the pair once both flows are shut. (Shut again after its peer has closed, a socket says ENOTCONN.)"
	}
	return f
}

// s4RefusedOnce is the first part of Milestone 3: an upstream that
// refuses, the [WARN] line, and the client closed without a byte.
func s4RefusedOnce(t *T) {
	port, release, err := harness.RefusingPort()
	if err != nil {
		t.Failf("could not find a port that refuses connections: %v", err)
	}
	t.Cleanup(release)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	t.Notef("nothing listens on %s: a connection there is refused", addr)
	srv := startProxy(t, addr)
	c := dialProxy(t, srv, 1)
	expectRefusal(t, srv, c, addr)
	settle(srv)
	want := []string{ProxyListeningLine(srv.Port, addr), ProxyConnectedLine, CannotConnectLine(addr, "connection refused")}
	if got := details(srv.Process); len(got) > len(want) && matchLines(want, got[:len(want)]) {
		t.Fail(Failure{
			Summary: "after the [WARN] line for a refused client, the proxy printed more about it",
			Want:    want,
			Got:     got,
			Step:    s4Connected,
			Hint:    "cannotConnect has closed the pair: return from finishConnect right after it, and print nothing more for that client.",
		})
	}
	expectDetails(t, srv.Process, want, 0, s4Connected)
}

// expectRefusal checks what happens to client c of srv, whose upstream
// addr refuses: the proxy's next line, not counting [DEBUG] lines, is the
// [WARN] line for it, and c's connection is closed without a byte.
func expectRefusal(t *T, srv *Server, c *harness.Conn, addr string) {
	want := CannotConnectLine(addr, "connection refused")
	line, err := srv.WaitLine(waitOutput, func(s string) bool { return !isDebug(s) && !isProxyConnected(s) })
	if err != nil {
		t.failWaiting(srv.Process, err, want, s4Connected)
	}
	if line != want {
		f := Failure{
			Summary: fmt.Sprintf("the upstream (%s) refused %s's connection, and the proxy did not say so", addr, c.Name()),
			Want:    want,
			Got:     line,
			Step:    s4Connected,
			Hint:    lineHint(want, line),
		}
		if line == UpstreamConnectedLine {
			f.Hint = "EPOLLOUT on a connecting socket says only that the connect is over, not that it worked: " +
				"read SO_ERROR with unix.GetsockoptInt, and if it is not 0, give up with s.cannotConnect(p, unix.Errno(value))."
		}
		t.Fail(f)
	}
	t.ExpectClosed(c, fmt.Sprintf("the upstream refused, so the proxy should close %s's connection without sending a byte", c.Name()), "", s4Connected)
}

// expectEnd reads from c until end of file, and fails unless want
// arrived, then an orderly end of file, not a reset. what says what c's
// peer did, for the failure.
func expectEnd(t *T, c *harness.Conn, want, what string) {
	got, err := c.ReadToEOF(waitReply)
	if err == nil && got == want {
		return
	}
	f := Failure{
		Summary: fmt.Sprintf("%s%s should get %d bytes, then end of file; it got %d bytes, then %s", what, c.Name(), len(want), len(got), errOrEOF(err)),
		Want:    want,
		Got:     got,
		Step:    s4HalfClose,
		Hint: "End of file from one side is passed on, after the bytes before it: shutdown(SHUT_WR) the other side, " +
			"which then reads end of file too, and keep the pair open until the other direction ends as well.",
	}
	if err != nil && err != harness.ErrTimeout && got == want {
		f.Hint = "The pair was ended with a reset, as after an error, at an ordinary end of file: " +
			"at end of file set eof, return nil, and let exchange pass it on with shutWrite."
	}
	t.Fail(f)
}

package milestones

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"

	"workbook/tests/harness"
)

const disconnectLine1 = "[INFO] Client disconnected. Closing server"

// The Steps of stage1-server/README.md.
const (
	s1Socket = 1 + iota
	s1Bind
	s1Accept
	s1Answer
	s1Leave
)

var stage1 = &Stage{
	Number: 1,
	Dir:    "stage1-server",
	Title:  "a blocking TCP server",
	Steps: []string{
		s1Socket - 1: "Create a socket",
		s1Bind - 1:   "Bind and listen",
		s1Accept - 1: "Accept a client",
		s1Answer - 1: "Read and answer lines",
		s1Leave - 1:  "Notice the client leaving",
	},
	Checks: []*Check{
		{
			ID: "M1", Kind: Milestone, Title: "listens and accepts a client", Step: s1Accept,
			Hint:  "The server prints its listening line once listen(2) has succeeded, then blocks in accept(2) and prints the connected line when a client arrives.",
			Repro: []string{"{run}", "nc 127.0.0.1 8080"},
			Run:   s1ListensAndAccepts,
		},
		{
			ID: "M2", Kind: Milestone, Title: "reverses lines", Step: s1Answer,
			Hint:  "Read into a buffer, give what arrived to lines.write, and answer every complete line that lines.next returns; writeAll must send all of each reply.",
			Repro: []string{"{run}", "printf 'hello\\n' | nc -N 127.0.0.1 8080"},
			Run:   s1Reverses,
		},
		{
			ID: "M3", Kind: Milestone, Title: "ends when the client leaves", Step: s1Leave,
			Hint:  "read(2) returning 0 means the client closed the connection: return from serve; run then prints the disconnect line and returns, and main exits with status 1.",
			Repro: []string{"{run}", "printf 'abc\\n' | nc -N 127.0.0.1 8080"},
			Run:   s1EndsWhenClientLeaves,
		},
		{
			ID: "split", Kind: Challenge, Title: "lines split across reads and merged in one", Step: s1Answer,
			Hint:  "One read(2) is not one message: it may return half a line, or several. Answer only complete lines, each as soon as it is complete.",
			Repro: []string{"{run}", "(printf 'hel'; sleep 1; printf 'lo\\none\\ntwo\\n') | nc -N 127.0.0.1 8080"},
			Run:   s1SplitAndMerged,
		},
		{
			ID: "crlf", Kind: Challenge, Title: "\\r\\n terminators", Step: s1Answer,
			Hint:  "A \\r right before the \\n belongs to the terminator: reverse the text before it and send back the same \\r\\n.",
			Repro: []string{"{run}", "printf 'abc\\r\\n' | nc -N 127.0.0.1 8080 | od -c"},
			Run:   s1CRLF,
		},
		{
			ID: "utf8", Kind: Challenge, Title: "UTF-8 text", Step: s1Answer,
			Hint:  "Reverse by character (rune), not by byte, so that é and 日 survive the reversal.",
			Repro: []string{"{run}", "printf 'h\\xc3\\xa9llo\\n' | nc -N 127.0.0.1 8080"},
			Run:   s1UTF8,
		},
		{
			ID: "binary", Kind: Challenge, Title: "binary bytes, escaped in the log", Step: s1Answer,
			Hint:  "Any byte may appear in a line, NUL included; log a line through printable() so control bytes never reach the terminal raw.",
			Repro: []string{"{run}", "printf 'a\\000b\\033[2Jc\\377\\n' | nc -N 127.0.0.1 8080 | od -c"},
			Run:   s1Binary,
		},
		{
			ID: "eof-partial", Kind: Challenge, Title: "a partial line at end of file", Step: s1Leave,
			Hint:  "At end of file, answer what is left in lines.rest() (reversed, with no terminator) before closing.",
			Repro: []string{"{run}", "printf 'abc\\ndef' | nc -N 127.0.0.1 8080"},
			Run:   s1PartialAtEOF,
		},
		{
			ID: "long-line", Kind: Challenge, Title: "a line over the -max-line limit", Step: s1Answer,
			Hint:  "After each read, if lines.tooLong() the client is sending a line over the limit: print a [WARN] line and drop the client instead of buffering for ever.",
			Repro: []string{"{run} -max-line 16", "printf '0123456789abcdef\\n0123456789abcdefg\\n' | nc -N 127.0.0.1 8080"},
			Run:   s1LongLine,
		},
		{
			ID: "pipelined", Kind: Challenge, Title: "1,000 lines sent without waiting", Step: s1Answer,
			Hint:  "Keep reading while lines are queued: answer every complete line a read delivers, not just the first.",
			Repro: []string{"{run}", "seq 1000 | nc -N 127.0.0.1 8080 | tail -n 3"},
			Run:   s1Pipelined,
		},
		{
			ID: "reset", Kind: Challenge, Title: "a client that resets the connection", Step: s1Leave,
			Hint:  "A read error such as ECONNRESET also means the client has gone: print the disconnect line, not an [ERROR], and exit with status 1.",
			Repro: []string{"{run}", "bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080; printf \"abc\\n\" >&3; sleep 1'   # exits without reading the reply: a reset"},
			Run:   s1Reset,
		},
		{
			ID: "port-in-use", Kind: Challenge, Title: "a port already in use", Step: s1Bind,
			Hint:  "When bind(2) fails, return the error (naming the call and the address) without printing anything to stdout; main prints it as [ERROR] and exits with status 1.",
			Repro: []string{"nc -l 127.0.0.1 8080", "{run}"},
			Run:   s1PortInUse,
		},
		{
			ID: "port-0", Kind: Challenge, Title: "-port 0 lets the kernel choose", Step: s1Bind,
			Hint:  "With -port 0 the kernel picks a port during bind(2); ask it which with getsockname(2) (localPort) and print that one.",
			Repro: []string{"{run} -port 0"},
			Run:   s1PortZero,
		},
		{
			ID: "restart", Kind: Challenge, Title: "restarts at once on the same port", Step: s1Socket,
			Hint:  "A connection the server closed first stays in TIME_WAIT on its port for a minute; without SO_REUSEADDR, bind(2) fails until then. Set it in Step 1.",
			Repro: []string{"{run} -max-line 4", "printf 'toolong\\n' | nc -N 127.0.0.1 8080", "{run} -max-line 4   # again, at once"},
			Run:   s1Restart,
		},
		{
			ID: "bad-flags", Kind: Challenge, Title: "bad flag values", Step: s1Socket,
			Hint:  "parseFlags prints the usage and exits with status 2 on a bad value; make sure nothing runs before it.",
			Repro: []string{"{run} -port 70000"},
			Run:   s1BadFlags,
		},
	},
}

// connectClient starts the server, connects a client and waits for the
// connected line: the part every Stage 1 check begins with.
func connectClient(t *T, args ...string) (*Server, *harness.Conn) {
	srv := t.StartServer(s1Bind, args...)
	c := t.Dial(srv, s1Bind)
	t.ExpectLine(srv.Process, connectedLine, s1Accept)
	return srv, c
}

// exchange sends each line in turn and checks its reply before the next.
// It returns the log lines the server should have printed for them.
func exchange(t *T, c *harness.Conn, lines ...string) []string {
	var logs []string
	for _, l := range lines {
		if err := c.Send(l); err != nil {
			t.Failf("could not send to the server: %v", err)
		}
		t.ExpectReply(c, l, reply(l), s1Answer)
		logs = append(logs, messageLine(l))
	}
	return logs
}

func header(srv *Server) []string {
	return []string{listeningLine(srv.Port), connectedLine}
}

func s1ListensAndAccepts(t *T) {
	srv, _ := connectClient(t)
	t.ExpectOutput(srv.Process, header(srv), s1Accept)
}

func s1Reverses(t *T) {
	srv, c := connectClient(t)
	want := header(srv)
	want = append(want, exchange(t, c, "hello\n")...)
	seed := rand.Uint64()
	t.Notef("sending 100 random lines, one at a time (seed %d)", seed)
	want = append(want, exchange(t, c, randomLines(rand.New(rand.NewPCG(seed, 0)), 100)...)...)
	t.ExpectOutput(srv.Process, want, s1Answer)
}

func s1EndsWhenClientLeaves(t *T) {
	srv, c := connectClient(t)
	want := append(header(srv), exchange(t, c, "abc\n")...)
	c.Close()
	t.ExpectOutput(srv.Process, append(want, disconnectLine1), s1Leave)
	t.ExpectExit(srv.Process, 1, s1Leave)
}

func s1SplitAndMerged(t *T) {
	srv, c := connectClient(t)
	c.Send("hel")
	if got, _ := c.Quiet(quietWindow); got != "" {
		t.Fail(Failure{
			Summary: "the server replied before the line was complete",
			Sent:    "hel",
			Want:    "",
			Got:     got,
			Hint:    "One read(2) returned part of a line and the server answered it as if it were whole. Answer only lines that end in \\n: lines.next() gives you those.",
		})
	}
	c.Send("lo\nwor")
	t.ExpectReply(c, "lo\nwor", "olleh\n", s1Answer)
	c.Send("ld\n")
	t.ExpectReply(c, "ld\n", "dlrow\n", s1Answer)
	t.Notef("three lines in one write")
	c.Send("one\ntwo\nthree\n")
	for _, l := range []string{"one\n", "two\n", "three\n"} {
		t.ExpectReply(c, "one\ntwo\nthree\n", reply(l), s1Answer)
	}
	want := append(header(srv), messageLine("hello\n"), messageLine("world\n"),
		messageLine("one\n"), messageLine("two\n"), messageLine("three\n"))
	t.ExpectOutput(srv.Process, want, s1Answer)
}

func s1CRLF(t *T) {
	srv, c := connectClient(t)
	want := append(header(srv), exchange(t, c, "abc\r\n", "\r\n", "x\n", "a\rb\n")...)
	t.ExpectOutput(srv.Process, want, s1Answer)
}

func s1UTF8(t *T) {
	srv, c := connectClient(t)
	want := append(header(srv), exchange(t, c, "h\u00e9llo\n", "\u65e5\u672c\u8a9e\n", "a\U0001F600b\r\n")...)
	t.ExpectOutput(srv.Process, want, s1Answer)
}

func s1Binary(t *T) {
	srv, c := connectClient(t)
	want := append(header(srv), exchange(t, c, "a\x00b\x1b[2Jc\xff\n", "\x00\n", "zero\u200bwidth\n", "tab\there\n")...)
	t.ExpectOutput(srv.Process, want, s1Answer)
}

func s1PartialAtEOF(t *T) {
	srv, c := connectClient(t)
	c.Send("abc\ndef")
	t.ExpectReply(c, "abc\ndef", "cba\n", s1Answer)
	c.CloseWrite()
	got, err := c.ReadToEOF(waitReply)
	if err != nil || got != "fed" {
		t.Fail(Failure{
			Summary: "after end of file the server should answer the unterminated \"def\" and close the connection",
			Sent:    "def",
			Want:    "fed",
			Got:     got,
			Step:    s1Leave,
		})
	}
	t.ExpectOutput(srv.Process, append(header(srv), messageLine("abc\n"), messageLine("def"), disconnectLine1), s1Leave)
	t.ExpectExit(srv.Process, 1, s1Leave)
}

func s1LongLine(t *T) {
	srv, c := connectClient(t, "-max-line", "16")
	want := append(header(srv), exchange(t, c, "0123456789abcdef\n", "0123456789abcde\r\n")...)
	c.Send("0123456789abcdefg\n")
	expectDropped(t, c, "a 17-byte line with -max-line 16")
	t.ExpectOutput(srv.Process, append(want, "[WARN] …", disconnectLine1), s1Answer)
	t.ExpectExit(srv.Process, 1, s1Leave)

	t.Notef("now the default limit, 65,536 bytes")
	srv, c = connectClient(t)
	fits := strings.Repeat("a", 65535) + "b\n"
	c.Send(fits)
	t.ExpectBytes(c, fits, reply(fits), s1Answer)
	c.Send(strings.Repeat("c", 100_000))
	expectDropped(t, c, "100,000 bytes with no newline")
	t.ExpectOutput(srv.Process, append(header(srv), messageLine(fits), "[WARN] …", disconnectLine1), s1Answer)
}

// expectDropped checks that the server closes the connection instead of
// answering what was just sent.
func expectDropped(t *T, c *harness.Conn, sent string) {
	expectClosed(t, c, "the server should drop a client that sends a line over the limit, without answering it", sent, s1Answer)
}

func errOrEOF(err error) string {
	switch {
	case err == nil:
		return "end of file"
	case errors.Is(err, harness.ErrTimeout):
		return "nothing more, and the connection still open"
	}
	return err.Error()
}

func s1Pipelined(t *T) {
	srv, c := connectClient(t)
	seed := rand.Uint64()
	lines := randomLines(rand.New(rand.NewPCG(seed, 0)), 1000)
	t.Notef("sending 1,000 random lines in one write, reading replies meanwhile (seed %d)", seed)
	sent := make(chan error, 1)
	go func() { sent <- c.Send(strings.Join(lines, "")) }()
	want := header(srv)
	for _, l := range lines {
		t.ExpectReply(c, l, reply(l), s1Answer)
		want = append(want, messageLine(l))
	}
	if err := <-sent; err != nil {
		t.Failf("sending the lines failed: %v", err)
	}
	t.ExpectOutput(srv.Process, want, s1Answer)
}

func s1Reset(t *T) {
	srv, c := connectClient(t)
	want := append(header(srv), exchange(t, c, "abc\n")...)
	c.Reset()
	t.ExpectOutput(srv.Process, append(want, disconnectLine1), s1Leave)
	t.ExpectExit(srv.Process, 1, s1Leave)
}

func s1PortInUse(t *T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Failf("could not occupy a port: %v", err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	t.Notef("the check itself listens on 127.0.0.1:%d", port)
	p := t.Start("-port", fmt.Sprint(port))
	t.ExpectExit(p, 1, s1Bind)
	want := fmt.Sprintf("[ERROR] bind 127.0.0.1:%d: address already in use", port)
	if got := p.Output(harness.Stderr); len(got) != 1 || got[0] != want {
		t.Fail(Failure{Summary: "stderr should hold exactly one [ERROR] line naming the call and the address", Want: []string{want}, Got: got})
	}
	if got := p.Output(harness.Stdout); len(got) != 0 {
		t.Fail(Failure{
			Summary: "nothing should be printed to stdout when the server cannot listen",
			Want:    []string(nil),
			Got:     got,
			Hint:    "Print the listening line only after bind(2) and listen(2) have both succeeded.",
		})
	}
}

func s1PortZero(t *T) {
	p := t.Start("-port", "0")
	line, err := p.NextLine(waitOutput)
	if err != nil {
		t.failWaiting(p, err, "[INFO] Server listening on port <the port the kernel chose>", s1Bind)
	}
	var port int
	if _, err := fmt.Sscanf(line, "[INFO] Server listening on port %d", &port); err != nil || line != listeningLine(port) || port == 0 {
		t.Fail(Failure{
			Summary: "with -port 0 the listening line should show the port the kernel chose, not 0",
			Want:    "[INFO] Server listening on port <1 to 65535>",
			Got:     line,
		})
	}
	srv := &Server{Process: p, Port: port}
	c := t.Dial(srv, s1Bind)
	t.ExpectLine(p, connectedLine, s1Accept)
	t.ExpectOutput(p, header(srv), s1Accept)
	exchange(t, c, "ok\n")
}

func s1Restart(t *T) {
	srv, c := connectClient(t, "-max-line", "4")
	// The whole line arrives in one read and nothing is left unread, so the
	// server's close is an orderly FIN: its side of the connection goes
	// through TIME_WAIT, which holds on to the port.
	c.Send("toolong\n")
	expectDropped(t, c, "toolong\n")
	c.Close()
	t.ExpectExit(srv.Process, 1, s1Leave)
	t.Notef("starting again on port %d, which has a connection in TIME_WAIT", srv.Port)
	p := t.Start("-port", fmt.Sprint(srv.Port))
	line, err := p.NextLine(waitOutput)
	if err != nil || line != listeningLine(srv.Port) {
		f := Failure{
			Summary: "the server could not start again on the port it just used",
			Want:    listeningLine(srv.Port),
			Got:     line,
			Step:    s1Socket,
		}
		if errs := p.Output(harness.Stderr); len(errs) > 0 {
			f.Got = errs[len(errs)-1]
		}
		t.Fail(f)
	}
}

func s1BadFlags(t *T) {
	expectBadFlags(t, s1Socket,
		[]string{"-port", "http"},
		[]string{"-port", "70000"},
		[]string{"-port", "-1"},
		[]string{"-host", "localhost"},
		[]string{"-host", "::1"},
		[]string{"-max-line", "0"},
		[]string{"-no-such-flag"},
	)
}

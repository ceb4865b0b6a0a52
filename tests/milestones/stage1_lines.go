package milestones

import (
	"math/rand/v2"
	"strings"

	"workbook/tests/harness"
)

// Stage 1's challenges about the lines themselves: how they arrive, what
// they hold, and how long they are.

func s1SplitAndMerged(t *T) {
	srv, c := connectClient(t)
	c.Send("hel")
	if got, _ := c.Quiet(quietWindow); got != "" {
		t.Fail(Failure{
			Summary: "the server replied before the line was complete",
			Sent:    "hel",
			Want:    "",
			Got:     got,
			Hint: "One read(2) returned part of a line and the server answered it as if it were whole. " +
				"Answer only lines that end in \\n: lines.next() gives you those.",
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
	want := append(header(srv), MessageLine("hello\n"), MessageLine("world\n"),
		MessageLine("one\n"), MessageLine("two\n"), MessageLine("three\n"))
	t.ExpectOutput(srv.Process, want, s1Answer)
}

func s1CRLF(t *T) {
	srv, c := connectClient(t)
	want := append(header(srv), t.Exchange(c, s1Answer, "abc\r\n", "\r\n", "x\n", "a\rb\n")...)
	t.ExpectOutput(srv.Process, want, s1Answer)
}

func s1UTF8(t *T) {
	srv, c := connectClient(t)
	want := append(header(srv), t.Exchange(c, s1Answer, "h\u00e9llo\n", "\u65e5\u672c\u8a9e\n", "a\U0001F600b\r\n")...)
	t.ExpectOutput(srv.Process, want, s1Answer)
}

func s1Binary(t *T) {
	srv, c := connectClient(t)
	want := append(header(srv), t.Exchange(c, s1Answer, "a\x00b\x1b[2Jc\xff\n", "\x00\n", "zero\u200bwidth\n", "tab\there\n")...)
	t.ExpectOutput(srv.Process, want, s1Answer)
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
		want = append(want, MessageLine(l))
	}
	if err := <-sent; err != nil {
		t.Failf("sending the lines failed: %v", err)
	}
	t.ExpectOutput(srv.Process, want, s1Answer)
}

func s1LongLine(t *T) {
	srv, c := connectClient(t, "-max-line", "16")
	want := append(header(srv), t.Exchange(c, s1Answer, "0123456789abcdef\n", "0123456789abcde\r\n")...)
	c.Send("0123456789abcdefg\n")
	expectDropped(t, c, "a 17-byte line with -max-line 16")
	t.ExpectOutput(srv.Process, append(want, AnyWarning, ClosingLine), s1Answer)
	t.ExpectExit(srv.Process, 1, s1Leave)

	t.Notef("now the default limit, 65,536 bytes")
	srv, c = connectClient(t)
	fits := strings.Repeat("a", 65535) + "b\n"
	c.Send(fits)
	t.ExpectBytes(c, fits, reply(fits), s1Answer)
	c.Send(strings.Repeat("c", 100_000))
	expectDropped(t, c, "100,000 bytes with no newline")
	t.ExpectOutput(srv.Process, append(header(srv), MessageLine(fits), AnyWarning, ClosingLine), s1Answer)
}

// expectDropped checks that the server closes the connection instead of
// answering what was just sent.
func expectDropped(t *T, c *harness.Conn, sent string) {
	t.ExpectClosed(c, "the server should drop a client that sends a line over the limit, without answering it", sent, s1Answer)
}

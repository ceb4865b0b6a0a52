package milestones

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"workbook/tests/harness"
)

// Stage 2's milestones: the client connects, trades lines for replies, and
// ends cleanly, whichever side ends first.

// connectedClient starts the client against a scripted server, waits for
// its connected line and accepts its connection: how every Stage 2 check
// that needs a server begins.
func connectedClient(t *T) (*harness.Process, *harness.Conn) {
	l := t.Listen()
	p := t.StartClient(l)
	t.ExpectLine(p, ClientConnectedLine, s2Connect)
	return p, t.Accept(l, s2Connect)
}

// trade types each line on the client's stdin, checks that the client sends
// it, answers it as the Stage 1 server would, and checks the line the client
// prints. It returns the lines printed.
func trade(t *T, p *harness.Process, srv *harness.Conn, lines ...string) []string {
	var printed []string
	for _, l := range lines {
		typeLine(t, p, srv, l)
		srv.Send(reply(l))
		expectMessage(t, p, reply(l))
		printed = append(printed, ServerMessageLine(reply(l)))
	}
	return printed
}

// typeLine types line on the client's stdin, and checks that the client
// sends it to srv as it is.
func typeLine(t *T, p *harness.Process, srv *harness.Conn, line string) {
	t.WriteStdin(p, line)
	expectSent(t, p, srv, line, line)
}

func s2Connects(t *T) {
	p, _ := connectedClient(t)
	t.ExpectOutput(p, []string{ClientConnectedLine}, s2Connect)

	t.Notef("now a client with no server to connect to")
	port := t.RefusingPort()
	p = t.Start("-port", strconv.Itoa(port))
	t.ExpectExit(p, 1, s2Connect)
	if got := p.Output(harness.Stderr); len(got) != 1 || got[0] != RefusedLine {
		f := Failure{
			Summary: "with nothing listening, stderr should hold exactly one [ERROR] line, with the reason connect(2) gave",
			Want:    []string{RefusedLine},
			Got:     got,
		}
		if len(got) == 1 && strings.HasSuffix(got[0], "connect: connection refused") {
			f.Hint = "main already says what failed (\"Failed to connect to server\"): return connect's error as it is, without os.NewSyscallError."
		}
		t.Fail(f)
	}
	if got := p.Output(harness.Stdout); len(got) != 0 {
		t.Fail(Failure{
			Summary: "nothing should be printed to stdout when the client cannot connect",
			Want:    []string(nil),
			Got:     got,
			Hint:    "Return connect's error from connectTo, so that main prints the [ERROR] line instead of the connected line.",
		})
	}
}

func s2Trades(t *T) {
	p, srv := connectedClient(t)
	want := []string{ClientConnectedLine}
	want = append(want, trade(t, p, srv, "hello\n")...)
	want = append(want, tradeAsTCPMay(t, p, srv)...)
	seed := rand.Uint64()
	t.Notef("typing 20 random lines, one after another (seed %d)", seed)
	want = append(want, trade(t, p, srv, randomLines(rand.New(rand.NewPCG(seed, 0)), 20)...)...)
	t.ExpectOutput(p, want, s2Reply)
}

// tradeAsTCPMay trades lines for replies that arrive as TCP may deliver
// them, which is what Step 4 is about: one reply in two pieces, read one
// at a time, and one read that brings a reply and the start of the next.
// It returns the lines printed.
func tradeAsTCPMay(t *T, p *harness.Process, srv *harness.Conn) []string {
	t.Notef("the reply to the next line comes in two pieces, and the client reads the first on its own")
	typeLine(t, p, srv, "hello\n")
	srv.Send("ol")
	if err := srv.WaitRead(waitReply); err != nil {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the server sent the first piece of a reply (\"sent\" below), and the client did not read it within %v", harness.Scaled(waitReply)),
			Sent:    "ol",
			Step:    s2Reply,
			Hint:    "After sending a line, replies.next should be waiting in read(2) for the reply.",
		})
	}
	srv.Send("leh\n")
	expectMessage(t, p, "olleh\n")

	t.Notef("then one piece holds a reply and the start of the next")
	typeLine(t, p, srv, "one\n")
	srv.Send("eno\now")
	expectMessage(t, p, "eno\n")
	typeLine(t, p, srv, "two\n")
	srv.Send("t\n")
	expectMessage(t, p, "owt\n")
	return []string{ServerMessageLine("olleh\n"), ServerMessageLine("eno\n"), ServerMessageLine("owt\n")}
}

func s2EndsCleanly(t *T) {
	p, srv := connectedClient(t)
	want := append([]string{ClientConnectedLine}, trade(t, p, srv, "abc\n")...)
	t.CloseStdin(p)
	if exit, err := p.WaitExit(waitExit); err == nil && exit.Code != 0 && slices.Contains(p.Output(harness.Stdout), ServerGoneLine) {
		t.Fail(Failure{
			Summary: fmt.Sprintf("at the end of stdin the client said the server had gone, and ended with %v", exit),
			Want:    append(want, "(exit status 0)"),
			Got:     append(p.Output(harness.Stdout), "("+exit.String()+")"),
			Step:    s2Input,
			Hint: "readInput's io.EOF means stdin has ended, which is the normal way to finish: " +
				"talk returns nil for it, and main exits with status 0. " +
				"Only an end of file from the socket means the server has gone.",
		})
	}
	t.ExpectExit(p, 0, s2Input)
	if got, err := srv.ReadToEOF(waitReply); got != "" || err != nil {
		t.Fail(Failure{
			Summary: "after stdin ended, the client should close the connection without sending anything more",
			Want:    "",
			Got:     got,
			Step:    s2Input,
			Hint:    "When ReadBytes gives no bytes at all, stdin has ended: return io.EOF from readInput instead of a line.",
		})
	}
	t.ExpectOutput(p, want, s2Input)
	expectQuietStderr(t, p, "the end of stdin is not an error")

	t.Notef("now the server closes its side of the connection while the client waits for stdin")
	p, srv = connectedClient(t)
	want = append([]string{ClientConnectedLine}, trade(t, p, srv, "abc\n")...)
	// Only its sending side: a socket closed altogether would answer the
	// client's next line with a reset, which could reach the client
	// before it reads the end of file. Here the end of file is all it gets.
	srv.CloseWrite()
	t.WriteStdin(p, "def\n")
	expectGone(t, p, want)

	t.Notef("now the server resets the connection while the client waits for a reply")
	p, srv = connectedClient(t)
	want = append([]string{ClientConnectedLine}, trade(t, p, srv, "abc\n")...)
	typeLine(t, p, srv, "def\n")
	srv.Reset()
	expectGone(t, p, want)
}

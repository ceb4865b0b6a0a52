package milestones

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"workbook/tests/harness"
)

// The lines the Stage 2 client prints (SPEC §4).
const (
	clientConnectedLine = "[INFO] Connected to server"
	disconnectLine2     = "[INFO] Server disconnected. Closing client"
	refusedLine         = "[ERROR] Failed to connect to server: connection refused"
	serverMessagePrefix = "[SERVER MESSAGE] "
)

// serverMessage returns the line the client prints for reply.
func serverMessage(reply string) string {
	return serverMessagePrefix + logged(content(reply))
}

// The Steps of stage2-client/README.md.
const (
	s2Connect = 1 + iota
	s2Input
	s2Send
	s2Reply
	s2Gone
)

var stage2 = &Stage{
	Number: 2,
	Dir:    "stage2-client",
	Title:  "a TCP client",
	Steps: []string{
		s2Connect - 1: "Connect to the server",
		s2Input - 1:   "Read a line from stdin",
		s2Send - 1:    "Send the whole line",
		s2Reply - 1:   "Read the whole reply",
		s2Gone - 1:    "Notice the server leaving",
	},
	Checks: []*Check{
		{
			ID: "M1", Kind: Milestone, Title: "connects to the server", Step: s2Connect,
			Hint:  "connectTo creates a socket and connects it with connect(2); main prints the connected line once it returns, and the [ERROR] line with connect's error when it fails.",
			Repro: []string{"go run ./solutions/stage1-server", "{run}", "{run} -port 1   # nothing listens there"},
			Run:   s2Connects,
		},
		{
			ID: "M2", Kind: Milestone, Title: "sends lines and prints the replies", Step: s2Reply,
			Hint:  "For each line readInput returns, sendAll must send all of it, and replies.next must return the whole reply line, which talk prints.",
			Repro: []string{"go run ./solutions/stage1-server", "printf 'hello\\nworld\\n' | {run}"},
			Run:   s2Trades,
		},
		{
			ID: "M3", Kind: Milestone, Title: "ends cleanly", Step: s2Gone,
			Hint:  "The end of stdin makes readInput return io.EOF and the client exit with status 0; a server that has gone makes talk return an error for which serverGone is true.",
			Repro: []string{"go run ./solutions/stage1-server", "{run}   # type a line, then press Ctrl-C in the server's terminal, then type another line"},
			Run:   s2EndsCleanly,
		},
		{
			ID: "pieces", Kind: Challenge, Title: "a reply that arrives in pieces", Step: s2Reply,
			Hint:  "One read(2) returns whatever has arrived, which may be part of a reply. Keep reading, and keep what you read, until the reply's '\\n' is there.",
			Repro: []string{"(sleep 3; printf 'ol'; sleep 2; printf 'leh\\n'; sleep 1) | nc -l 127.0.0.1 8080", "printf 'hello\\n' | {run}"},
			Run:   s2Pieces,
		},
		{
			ID: "long", Kind: Challenge, Title: "a 100 KB line each way", Step: s2Input,
			Hint:  "Lines may be far longer than one read(2) or one buffer: read stdin with bufio.Reader.ReadBytes (bufio.Scanner stops at 64 KiB), send with a loop, and gather the reply until its '\\n'.",
			Repro: []string{"go run ./solutions/stage1-server", "head -c 60000 /dev/zero | tr '\\0' x | {run} | wc -c"},
			Run:   s2Long,
		},
		{
			ID: "control", Kind: Challenge, Title: "control bytes from the server, escaped", Step: s2Reply,
			Hint:  "Print the reply through printable(content(reply)), so an escape sequence or a NUL from the server is shown escaped instead of reaching the terminal.",
			Repro: []string{"printf 'a\\033[2Jb\\000c\\n' | nc -l 127.0.0.1 8080", "printf 'x\\n' | {run}"},
			Run:   s2Control,
		},
		{
			ID: "lock-step", Kind: Challenge, Title: "one line at a time, each after its reply", Step: s2Reply,
			Hint:  "Send a line, then wait until the whole reply has arrived and been printed before reading the next line of stdin.",
			Repro: []string{"nc -l 127.0.0.1 8080   # answer each line by typing a reply", "printf 'one\\ntwo\\n' | {run}"},
			Run:   s2LockStep,
		},
		{
			ID: "reset", Kind: Challenge, Title: "a server that resets the connection", Step: s2Gone,
			Hint: "ECONNRESET from a read or a send, and EPIPE from a send, mean the server has gone: print the disconnect line and exit with status 1, not an [ERROR].",
			Repro: []string{
				"go run ./solutions/stage1-server",
				"{run}   # the first client: press Ctrl-D once the second has sent a line",
				"{run}   # the second client: type a line; it waits, then the server's exit resets it",
			},
			Run: s2Reset,
		},
		{
			ID: "cut-off", Kind: Challenge, Title: "a reply cut off by the server closing", Step: s2Gone,
			Hint:  "When read(2) returns 0 with part of a reply received, print that part as the server's message, then the disconnect line.",
			Repro: []string{"printf 'fed' | nc -N -l 127.0.0.1 8080", "printf 'def\\n' | {run}"},
			Run:   s2CutOff,
		},
		{
			ID: "no-newline", Kind: Challenge, Title: "a last line without a newline", Step: s2Input,
			Hint:  "At the end of a file ReadBytes returns the last line without its '\\n', together with io.EOF. Send it with a '\\n' added, and wait for its reply, before stopping.",
			Repro: []string{"go run ./solutions/stage1-server", "printf 'one\\ntwo' | {run}"},
			Run:   s2NoNewline,
		},
		{
			ID: "bad-flags", Kind: Challenge, Title: "bad flag values", Step: s2Connect,
			Hint:  "parseFlags prints the usage and exits with status 2 on a bad value; make sure nothing runs before it.",
			Repro: []string{"{run} -port 70000   # go run shows the program's status: exit status 2"},
			Run:   s2BadFlags,
		},
	},
}

// connectedClient starts the client against a scripted server, waits for
// its connected line and accepts its connection: how every Stage 2 check
// that needs a server begins.
func connectedClient(t *T) (*harness.Process, *harness.Conn) {
	l := t.Listen()
	p := t.StartClient(l)
	t.ExpectLine(p, clientConnectedLine, s2Connect)
	return p, t.Accept(l, s2Connect)
}

// trade types each line on the client's stdin, checks that the client sends
// it, answers it as the Stage 1 server would, and checks the line the client
// prints. It returns the lines printed.
func trade(t *T, p *harness.Process, srv *harness.Conn, lines ...string) []string {
	var printed []string
	for _, l := range lines {
		t.WriteStdin(p, l)
		expectSent(t, p, srv, l, l)
		srv.Send(reply(l))
		expectMessage(t, p, reply(l))
		printed = append(printed, serverMessage(reply(l)))
	}
	return printed
}

// expectSent reads the line the client sent after typed was written to its
// stdin, and fails unless it is want.
func expectSent(t *T, p *harness.Process, srv *harness.Conn, typed, want string) {
	got, err := srv.ReadLine(waitReply)
	if err == nil && got == want {
		return
	}
	f := Failure{Sent: typed, Want: want, Got: got, Step: s2Send}
	switch {
	case err == nil:
		f.Summary = "the server received something other than the line typed on the client's stdin"
		if got == "\n" && content(want) != "" {
			f.Hint = "An empty line went out: send the line that readInput returned, '\\n' included."
		}
	case errors.Is(err, harness.ErrTimeout) && got == "":
		f.Summary = fmt.Sprintf("a line was typed on the client's stdin (\"sent\" below), and the server received nothing within %v", harness.Scaled(waitReply))
		f.Step = s2Input
		f.Hint = "Nothing reached the server. Check that readInput returns each line, reading from the one bufio.Reader it is given (a reader made anew for each line loses what the last one had read ahead), and that sendAll sends it."
	case errors.Is(err, harness.ErrTimeout):
		f.Summary = "the server received only part of the line typed, and then nothing more"
		if got == content(want) {
			f.Hint = "The line went out without its '\\n', so the server cannot know it is complete: send it terminator and all."
		}
	default: // the connection ended: the client closed it, or exited
		exit, werr := p.WaitExit(waitExit)
		switch {
		case werr != nil:
			f.Summary = fmt.Sprintf("the client closed the connection (%v) instead of sending the line typed, and kept running", err)
		case exit.Code == 0 && len(typed) > 64<<10:
			f.Summary = fmt.Sprintf("the client ended (%v) instead of sending a line of %d bytes", exit, len(typed))
			f.Hint = "bufio.Scanner gives up on a line over 64 KiB, and Scan then returns false as if stdin had ended. Read stdin with bufio.Reader's ReadBytes('\\n'), which takes a line of any length."
			f.Step = s2Input
		case exit.Code == 0 && !strings.HasSuffix(typed, "\n"):
			f.Summary = fmt.Sprintf("the client ended (%v) without sending the last line, which had no newline", exit)
			f.Hint = "At the end of a file, ReadBytes returns the last line without its '\\n', together with io.EOF. Return that line (with a '\\n' added); the next call gives no bytes, and that is the end."
			f.Step = s2Input
		default:
			t.failEnded(p, exit, "the client closed the connection instead of sending the line typed", s2Send)
		}
	}
	t.Fail(f)
}

// expectMessage waits for the line the client prints for reply.
func expectMessage(t *T, p *harness.Process, reply string) {
	want := serverMessage(reply)
	got, err := p.NextLine(waitOutput)
	if err != nil {
		t.failWaiting(p, err, want, s2Reply)
	}
	if got == want {
		return
	}
	f := Failure{
		Summary: "the server replied (\"sent\" below), and the client printed a different line than expected",
		Sent:    reply,
		Want:    want,
		Got:     got,
		Step:    s2Reply,
		Hint:    lineHint(want, got),
	}
	switch {
	case got == serverMessagePrefix+logged(reply) || got == serverMessagePrefix+logged(strings.TrimSuffix(reply, "\n")):
		f.Hint = "The terminator was printed too: print content(reply), which leaves the \\n (or \\r\\n) out."
	case got == serverMessagePrefix+content(reply):
		f.Hint = "The reply was printed raw: pass it through printable() so control bytes are shown escaped."
	case strings.HasPrefix(want, got) && len(got) > len(serverMessagePrefix):
		f.Hint = "Only the start of the reply was printed: one read(2) may return part of a reply, so keep reading until its '\\n' has arrived."
	}
	t.Fail(f)
}

// expectQuietStderr fails if the client printed anything to stderr; reason
// says why nothing should be there.
func expectQuietStderr(t *T, p *harness.Process, reason string) {
	if got := p.Output(harness.Stderr); len(got) > 0 {
		t.Fail(Failure{
			Summary: "the client printed to stderr: " + reason,
			Want:    []string(nil),
			Got:     got,
			Hint:    "A server that closes or resets the connection is not an error of the client: serverGone should be true for io.EOF, ECONNRESET and EPIPE, so main prints the disconnect line instead.",
			Step:    s2Gone,
		})
	}
}

// expectGone checks the end of a client whose server has gone: the
// disconnect line after want, status 1, and nothing on stderr.
func expectGone(t *T, p *harness.Process, want []string) {
	if _, err := p.WaitLine(waitOutput, func(string) bool { return true }); err != nil {
		for _, l := range p.Output(harness.Stderr) {
			hint := goneHint(l)
			if hint == "" {
				continue
			}
			t.Fail(Failure{
				Summary: "the server went away, and the client reported it as an error instead of printing the disconnect line",
				Want:    disconnectLine2,
				Got:     l,
				Step:    s2Gone,
				Hint:    hint,
			})
		}
		t.failWaiting(p, err, disconnectLine2, s2Gone)
	}
	t.ExpectOutput(p, append(want, disconnectLine2), s2Gone)
	t.ExpectExit(p, 1, s2Gone)
	expectQuietStderr(t, p, "the server going away is not an error")
}

// goneHint explains an [ERROR] line that a client printed for a server that
// had gone away, or returns "" for any other line.
func goneHint(line string) string {
	switch {
	case !strings.HasPrefix(line, "[ERROR]"):
		return ""
	case strings.Contains(line, "reset by peer") || strings.Contains(line, "broken pipe"):
		return "ECONNRESET (connection reset by peer) and EPIPE (broken pipe) are how the kernel says the server has gone: serverGone should be true for them, as for io.EOF. They arrive wrapped (\"read: ...\", \"sendmsg: ...\"), so compare with errors.Is, not ==."
	case line == "[ERROR] EOF":
		return "io.EOF from replies.next means read(2) returned 0: the server closed the connection. serverGone should be true for it, as for ECONNRESET and EPIPE."
	}
	return ""
}

func s2Connects(t *T) {
	p, _ := connectedClient(t)
	t.ExpectOutput(p, []string{clientConnectedLine}, s2Connect)

	t.Notef("now a client with no server to connect to")
	port := t.RefusingPort()
	p = t.Start("-port", strconv.Itoa(port))
	t.ExpectExit(p, 1, s2Connect)
	if got := p.Output(harness.Stderr); len(got) != 1 || got[0] != refusedLine {
		f := Failure{
			Summary: "with nothing listening, stderr should hold exactly one [ERROR] line, with the reason connect(2) gave",
			Want:    []string{refusedLine},
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
	want := []string{clientConnectedLine}
	want = append(want, trade(t, p, srv, "hello\n")...)
	seed := rand.Uint64()
	t.Notef("typing 20 random lines, one after another (seed %d)", seed)
	want = append(want, trade(t, p, srv, randomLines(rand.New(rand.NewPCG(seed, 0)), 20)...)...)
	t.ExpectOutput(p, want, s2Reply)
}

func s2EndsCleanly(t *T) {
	p, srv := connectedClient(t)
	want := append([]string{clientConnectedLine}, trade(t, p, srv, "abc\n")...)
	t.CloseStdin(p)
	if exit, err := p.WaitExit(waitExit); err == nil && exit.Code != 0 && slices.Contains(p.Output(harness.Stdout), disconnectLine2) {
		t.Fail(Failure{
			Summary: fmt.Sprintf("at the end of stdin the client said the server had gone, and ended with %v", exit),
			Want:    append(want, "(exit status 0)"),
			Got:     append(p.Output(harness.Stdout), "("+exit.String()+")"),
			Step:    s2Input,
			Hint:    "readInput's io.EOF means stdin has ended, which is the normal way to finish: talk returns nil for it, and main exits with status 0. Only an end of file from the socket means the server has gone.",
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

	t.Notef("now the server closes the connection while the client waits for stdin")
	p, srv = connectedClient(t)
	want = append([]string{clientConnectedLine}, trade(t, p, srv, "abc\n")...)
	srv.Close()
	t.WriteStdin(p, "def\n")
	expectGone(t, p, want)
}

func s2Pieces(t *T) {
	p, srv := connectedClient(t)
	want := []string{clientConnectedLine}
	for _, tc := range []struct {
		typed  string
		pieces []string // the reply, as the server sends it
	}{
		{"hello\n", []string{"ol", "le", "h\n"}},
		{"abc\n", []string{"cba\r", "\n"}}, // a "\r\n" reply, split in its middle
	} {
		t.WriteStdin(p, tc.typed)
		expectSent(t, p, srv, tc.typed, tc.typed)
		for _, piece := range tc.pieces[:len(tc.pieces)-1] {
			srv.Send(piece)
			// A quiet window: nothing must be printed while the reply is
			// incomplete.
			t.ExpectNoLine(p, quietWindow, Failure{
				Summary: "the client printed a reply before all of it had arrived",
				Sent:    piece,
				Want:    "",
				Step:    s2Reply,
				Hint:    "One read(2) returned part of the reply and the client printed it as if it were whole. Keep what you read in r.pending and read again until it holds a '\\n'.",
			})
		}
		srv.Send(tc.pieces[len(tc.pieces)-1])
		whole := strings.Join(tc.pieces, "")
		expectMessage(t, p, whole)
		want = append(want, serverMessage(whole))
	}
	t.Notef("a reply one byte at a time")
	t.WriteStdin(p, "pieces\n")
	expectSent(t, p, srv, "pieces\n", "pieces\n")
	srv.SendPieces(10*time.Millisecond, strings.Split("seceip\n", "")...)
	expectMessage(t, p, "seceip\n")
	want = append(want, serverMessage("seceip\n"))

	t.Notef("two replies in one piece, for two lines typed one after the other")
	t.WriteStdin(p, "one\n")
	expectSent(t, p, srv, "one\n", "one\n")
	srv.Send("eno\nowt\n")
	expectMessage(t, p, "eno\n")
	t.WriteStdin(p, "two\n")
	expectSent(t, p, srv, "two\n", "two\n")
	expectMessage(t, p, "owt\n")
	want = append(want, serverMessage("eno\n"), serverMessage("owt\n"))
	t.ExpectOutput(p, want, s2Reply)
}

func s2Long(t *T) {
	p, srv := connectedClient(t)
	seed := rand.Uint64()
	r := rand.New(rand.NewPCG(seed, 0))
	b := make([]byte, 100_000)
	for i := range b {
		b[i] = byte('a' + r.IntN(26))
	}
	line := string(b) + "\n"
	t.Notef("typing a line of 100,000 random letters (seed %d)", seed)
	// The line is more than a pipe holds, so it is written while the check
	// reads what the client sends; a client that does not read stdin leaves
	// the write blocked until the check stops it.
	go p.WriteStdin(line)
	expectSent(t, p, srv, line, line)
	srv.Send(reply(line))
	expectMessage(t, p, reply(line))
	t.ExpectOutput(p, []string{clientConnectedLine, serverMessage(reply(line))}, s2Reply)
}

func s2Control(t *T) {
	p, srv := connectedClient(t)
	want := []string{clientConnectedLine}
	for i, answer := range []string{
		"a\x00b\x1b[2Jc\xff\n",
		"tab\there\n",
		"bell\a\r\n",
		"zero\u200bwidth\n",
		"h\u00e9llo \u65e5\u672c\n",
	} {
		typed := fmt.Sprintf("line %d\n", i+1)
		t.WriteStdin(p, typed)
		expectSent(t, p, srv, typed, typed)
		t.Notef("the server answers with bytes of its choosing")
		srv.Send(answer)
		expectMessage(t, p, answer)
		want = append(want, serverMessage(answer))
	}
	t.ExpectOutput(p, want, s2Reply)
}

func s2LockStep(t *T) {
	p, srv := connectedClient(t)
	t.Notef("three lines reach stdin at once")
	t.WriteStdin(p, "one\ntwo\nthree\n")
	notYet := func(after string) {
		// A quiet window: the client must not send the next line while the
		// reply to the last one is missing or incomplete.
		if got, _ := srv.Quiet(quietWindow); got != "" {
			t.Fail(Failure{
				Summary: "the client sent its next line before the whole reply to the last one had arrived",
				Sent:    after,
				Want:    "",
				Got:     got,
				Hint:    "Lock-step: after sending a line, wait in replies.next until the whole reply is there, and print it, before reading the next line of stdin.",
			})
		}
	}
	expectSent(t, p, srv, "one\ntwo\nthree\n", "one\n")
	notYet("")
	srv.Send("eno\n")
	expectMessage(t, p, "eno\n")
	expectSent(t, p, srv, "one\ntwo\nthree\n", "two\n")
	srv.Send("ow")
	notYet("ow")
	srv.Send("t\n")
	expectMessage(t, p, "owt\n")
	expectSent(t, p, srv, "one\ntwo\nthree\n", "three\n")
	srv.Send("eerht\n")
	expectMessage(t, p, "eerht\n")
	t.ExpectOutput(p, []string{clientConnectedLine, serverMessage("eno\n"), serverMessage("owt\n"), serverMessage("eerht\n")}, s2Reply)
}

func s2Reset(t *T) {
	t.Notef("the server resets the connection while the client waits for a reply")
	p, srv := connectedClient(t)
	want := append([]string{clientConnectedLine}, trade(t, p, srv, "abc\n")...)
	t.WriteStdin(p, "def\n")
	expectSent(t, p, srv, "def\n", "def\n")
	srv.Reset()
	expectGone(t, p, want)

	t.Notef("the server resets the connection while the client waits for stdin")
	p, srv = connectedClient(t)
	want = append([]string{clientConnectedLine}, trade(t, p, srv, "abc\n")...)
	srv.Reset()
	t.WriteStdin(p, "def\n")
	expectGone(t, p, want)

	t.Notef("the server closes; then a 4 MB line goes into the closed connection, which fails with EPIPE")
	p, srv = connectedClient(t)
	want = append([]string{clientConnectedLine}, trade(t, p, srv, "abc\n")...)
	srv.Close()
	// Written while the client runs; once the client has exited, the
	// write fails and the goroutine ends.
	go p.WriteStdin(strings.Repeat("x", 4<<20) + "\n")
	expectGone(t, p, want)
}

func s2CutOff(t *T) {
	p, srv := connectedClient(t)
	t.WriteStdin(p, "def\n")
	expectSent(t, p, srv, "def\n", "def\n")
	srv.Send("fe")
	srv.Close()
	t.ExpectLine(p, serverMessagePrefix+"fe", s2Gone)
	expectGone(t, p, []string{clientConnectedLine, serverMessagePrefix + "fe"})
}

func s2NoNewline(t *T) {
	p, srv := connectedClient(t)
	want := append([]string{clientConnectedLine}, trade(t, p, srv, "one\n")...)
	t.WriteStdin(p, "two")
	t.CloseStdin(p)
	expectSent(t, p, srv, "two", "two\n")
	srv.Send("owt\n")
	expectMessage(t, p, "owt\n")
	t.ExpectExit(p, 0, s2Input)
	t.ExpectOutput(p, append(want, serverMessage("owt\n")), s2Input)
}

func s2BadFlags(t *T) {
	expectBadFlags(t, s2Connect,
		[]string{"-port", "http"},
		[]string{"-port", "70000"},
		[]string{"-port", "-1"},
		[]string{"-host", "localhost"},
		[]string{"-host", "::1"},
		[]string{"-no-such-flag"},
		[]string{"extra"},
	)
}

package milestones

import (
	"errors"
	"fmt"
	"strings"

	"workbook/tests/harness"
)

// What the Stage 2 checks expect of the client: what it sends, what it
// prints, and how it ends when the server has gone.

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
		f.Hint = "Nothing reached the server. " +
			"Check that readInput returns each line, reading from the one bufio.Reader it is given " +
			"(a reader made anew for each line loses what the last one had read ahead), and that sendAll sends it."
	case errors.Is(err, harness.ErrTimeout) && got == content(want) && !strings.HasSuffix(typed, "\n"):
		f.Summary = fmt.Sprintf("the last line typed had no newline, and the client sent it as it was: "+
			"the server received %q, and waited in vain for the newline that ends it", got)
		f.Step = s2Input
		f.Hint = "At the end of a file ReadBytes returns the last line without its '\\n', together with io.EOF. " +
			"readInput must add the '\\n' to a last line that has none: the server answers only complete lines."
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
			f.Hint = "bufio.Scanner gives up on a line over 64 KiB, and Scan then returns false as if stdin had ended. " +
				"Read stdin with bufio.Reader's ReadBytes('\\n'), which takes a line of any length."
			f.Step = s2Input
		case exit.Code == 0 && !strings.HasSuffix(typed, "\n"):
			f.Summary = fmt.Sprintf("the client ended (%v) without sending the last line, which had no newline", exit)
			f.Hint = "At the end of a file, ReadBytes returns the last line without its '\\n', together with io.EOF. " +
				"Return that line (with a '\\n' added); the next call gives no bytes, and that is the end."
			f.Step = s2Input
		default:
			t.failEnded(p, exit, "the client closed the connection instead of sending the line typed", s2Send)
		}
	}
	t.Fail(f)
}

// expectMessage waits for the line the client prints for reply.
func expectMessage(t *T, p *harness.Process, reply string) {
	expectMessageOr(t, p, reply, "")
}

// expectMessageOr is expectMessage with a hint for a client that prints
// nothing while it is still running.
func expectMessageOr(t *T, p *harness.Process, reply, silent string) {
	want := ServerMessageLine(reply)
	got, err := p.NextLine(waitOutput)
	if silent != "" && errors.Is(err, harness.ErrTimeout) {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the client printed nothing within %v", harness.Scaled(waitOutput)),
			Want:    want,
			Step:    s2Reply,
			Hint:    silent,
		})
	}
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
	case got == ServerMessagePrefix+logged(reply) || got == ServerMessagePrefix+logged(strings.TrimSuffix(reply, "\n")):
		f.Hint = "The terminator was printed too: print content(reply), which leaves the \\n (or \\r\\n) out."
	case got == ServerMessagePrefix+content(reply):
		f.Hint = "The reply was printed raw: pass it through printable() so control bytes are shown escaped."
	case strings.HasPrefix(want, got) && len(got) > len(ServerMessagePrefix):
		f.Hint = "Only the start of the reply was printed: one read(2) may return part of a reply, so keep reading until its '\\n' has arrived."
	case strings.HasPrefix(got, want+`\n`):
		f.Hint = "One read(2) brought this reply and the start of the next, and the client printed both as one: " +
			"return the line up to and including its '\\n', and keep the rest in r.pending for the next call."
	case strings.HasPrefix(got, ServerMessagePrefix) && strings.HasSuffix(want, got[len(ServerMessagePrefix):]):
		f.Hint = "The start of this reply went missing: it came in the same read(2) as the end of the one before. " +
			"Keep the bytes after the '\\n' in r.pending, and look there first on the next call."
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
			Hint: "A server that closes or resets the connection is not an error of the client: " +
				"serverGone should be true for io.EOF, ECONNRESET and EPIPE, so main prints the disconnect line instead.",
			Step: s2Gone,
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
				Want:    ServerGoneLine,
				Got:     l,
				Step:    s2Gone,
				Hint:    hint,
			})
		}
		t.failWaiting(p, err, ServerGoneLine, s2Gone)
	}
	t.ExpectOutput(p, append(want, ServerGoneLine), s2Gone)
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
		return "ECONNRESET (connection reset by peer) and EPIPE (broken pipe) are how the kernel says the server has gone: " +
			"serverGone should be true for them, as for io.EOF. " +
			"They arrive wrapped (\"read: ...\", \"sendmsg: ...\"), so compare with errors.Is, not ==."
	case line == "[ERROR] EOF":
		return "io.EOF from replies.next means read(2) returned 0: the server closed the connection. serverGone should be true for it, as for ECONNRESET and EPIPE."
	}
	return ""
}

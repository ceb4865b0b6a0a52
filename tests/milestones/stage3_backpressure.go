package milestones

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"workbook/tests/harness"
)

// Stage 3's challenges about back-pressure: a client that sends and does not
// read must stall neither the others nor the server's memory, and must
// still get every reply.

// stalledLines is how much a client that never reads sends: far more than
// the kernel's buffers on the way hold, so that a server that reads it all
// has to keep it in its own memory.
const stalledLines = 32 << 10 // lines of 1 KiB: 32 MiB

// stalledClient is the scenario of the stalled and memory checks: client 1
// sends 32 MiB of lines and reads nothing, and once the server has stopped
// taking them, client 2 must still be served at once. It returns the
// server, client 1, its sender and the replies client 1 should get.
func stalledClient(t *T, measure bool) (*Server, *harness.Conn, *sender, string) {
	// -quiet: 32 MiB of [CLIENT MESSAGE] lines would tell nothing more.
	srv := start3(t, harness.Options{Args: []string{"-quiet"}})
	slow := dialSlowReader(t, srv)
	other := t.Dial(srv, s3Watch)
	t.Exchange(other, s3Serve, "before\n")
	rss, err := harness.ResidentMemory(srv.Pid())
	if err != nil {
		t.Failf("could not read the server's memory use: %v", err)
	}
	t.Notef("the server's resident memory (VmRSS): %d KiB", rss>>10)

	lines, replies := numberedLines(stalledLines)
	t.Notef("%s sends %d MiB of lines and reads nothing", slow.Name(), len(lines)>>20)
	s := sendInBackground(slow, lines, 256<<10, nil)
	sent := s.waitStuck(t)
	if sent == int64(len(lines)) {
		t.Notef("%s has sent all %d KiB", slow.Name(), sent>>10)
	} else {
		t.Notef("%s has sent %d KiB, and the server takes no more", slow.Name(), sent>>10)
	}

	for _, l := range []string{"are you there?\n", "still here\n"} {
		other.Send(l)
		got, err := other.ReadLine(waitReply)
		if err != nil || got != reply(l) {
			t.Fail(Failure{
				Summary: fmt.Sprintf("while %s did not read, %s was not answered", slow.Name(), other.Name()),
				Sent:    l,
				Want:    reply(l),
				Got:     got,
				Step:    s3Nonblock,
				Hint: "The server is stuck in a write(2) to the client that does not read, and a blocked loop serves nobody. " +
					"Make every socket non-blocking (Step 7) and keep what write did not take for the next EPOLLOUT (Step 8).",
			})
		}
	}
	if measure {
		rss2, err := harness.ResidentMemory(srv.Pid())
		if err != nil {
			t.Failf("could not read the server's memory use: %v", err)
		}
		t.Notef("the server's resident memory (VmRSS): %d KiB", rss2>>10)
		if bound := int64(len(lines)) / 4; rss2-rss > bound {
			t.Fail(Failure{
				Summary: fmt.Sprintf("while %s sent %d MiB and read none of the replies, the server's memory grew by %d MiB", slow.Name(), sent>>20, (rss2-rss)>>20),
				Want:    fmt.Sprintf("VmRSS growing by less than %d MiB", bound>>20),
				Got:     fmt.Sprintf("VmRSS from %d MiB to %d MiB", rss>>20, rss2>>20),
				Step:    s3Pause,
			})
		}
	}
	return srv, slow, s, replies
}

func s3Stalled(t *T) {
	_, slow, s, replies := stalledClient(t, false)
	t.Notef("%s now reads everything", slow.Name())
	got, err := readInPieces(slow, len(replies), 1<<20, 0)
	if err != nil || got != replies {
		i := firstDiff(got, replies)
		f := Failure{
			Summary: fmt.Sprintf("the replies %s got once it read differ from what it should get, from byte %d of %d on", slow.Name(), i, len(replies)),
			Want:    replies[i:min(i+100, len(replies))],
			Got:     got[i:min(i+100, len(got))],
			Step:    s3Pending,
			Hint: "Replies must all arrive, in order: keep what write(2) did not take at the front of the client's output, " +
				"ask for EPOLLOUT, and write the rest when it comes.",
		}
		if err != nil && strings.HasPrefix(replies, got) {
			f.Summary = fmt.Sprintf("%s stopped getting replies after %d of %d bytes (%v)", slow.Name(), len(got), len(replies), errOrEOF(err))
		}
		t.Fail(f)
	}
	<-s.done
	if s.err != nil {
		t.Failf("%s could not send all its lines: %v", slow.Name(), s.err)
	}
}

func s3Memory(t *T) {
	stalledClient(t, true)
}

func s3HalfClose(t *T) {
	srv := start3(t, harness.Options{Args: []string{"-quiet"}})
	c := dialSlowReader(t, srv)
	// Far more than the kernel holds on the way, so that the server has to
	// stop reading (Step 9) until the client reads. The client then reads
	// slowly, like one on a slow link: the server stays ahead, and reads
	// the end of file while replies are still pending in its own memory.
	lines, replies := numberedLines(8 << 10)
	t.Notef("%s sends 8 MiB of lines and an unfinished one, then closes its sending side; it reads, slowly, only once it cannot send more", c.Name())
	s := sendInBackground(c, lines+"partial", 256<<10, c.CloseWrite)
	s.waitStuck(t)
	want := replies + "laitrap"
	got, err := readInPieces(c, len(want), 32<<10, 2*time.Millisecond)
	if err == nil {
		var more string
		more, err = c.ReadToEOF(waitReply)
		got += more
	}
	if err != nil || got != want {
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
		t.Fail(f)
	}
	<-s.done
	if s.err != nil {
		t.Failf("%s could not send everything: %v", c.Name(), s.err)
	}
}

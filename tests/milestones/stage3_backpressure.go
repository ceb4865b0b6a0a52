package milestones

import (
	"fmt"
	"strings"

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
	done := t.Busy()
	s := sendInBackground(slow, lines, nil)
	sent := s.waitStuck(t, srv.Pid())
	done()
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
	got, err := readAll(t, slow, len(replies))
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

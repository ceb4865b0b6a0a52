package milestones

import (
	"fmt"
	"strings"
	"time"
)

// Stage 2's challenges about replies: in pieces, with control bytes, and
// one at a time.

func s2Pieces(t *T) {
	p, srv := connectedClient(t)
	want := []string{ClientConnectedLine}
	for _, tc := range []struct {
		typed  string
		pieces []string // the reply, as the server sends it
	}{
		{"hello\n", []string{"ol", "le", "h\n"}},
		{"abc\n", []string{"cba\r", "\n"}}, // a "\r\n" reply, split in its middle
	} {
		typeLine(t, p, srv, tc.typed)
		for _, piece := range tc.pieces[:len(tc.pieces)-1] {
			srv.Send(piece)
			// A quiet window: nothing must be printed while the reply is
			// incomplete.
			t.ExpectNoLine(p, quietWindow, Failure{
				Summary: "the client printed a reply before all of it had arrived",
				Sent:    piece,
				Want:    "",
				Step:    s2Reply,
				Hint: "One read(2) returned part of the reply and the client printed it as if it were whole. " +
					"Keep what you read in r.pending and read again until it holds a '\\n'.",
			})
		}
		srv.Send(tc.pieces[len(tc.pieces)-1])
		whole := strings.Join(tc.pieces, "")
		expectMessage(t, p, whole)
		want = append(want, ServerMessageLine(whole))
	}
	t.Notef("a reply one byte at a time")
	typeLine(t, p, srv, "pieces\n")
	srv.SendPieces(10*time.Millisecond, strings.Split("seceip\n", "")...)
	expectMessage(t, p, "seceip\n")
	want = append(want, ServerMessageLine("seceip\n"))

	t.Notef("two replies in one piece, for two lines typed one after the other")
	typeLine(t, p, srv, "one\n")
	srv.Send("eno\nowt\n")
	expectMessage(t, p, "eno\n")
	typeLine(t, p, srv, "two\n")
	expectMessageOr(t, p, "owt\n", "The reply to this line had arrived already, in the same read(2) as the reply before it, "+
		"and the client is waiting in read(2) for more: next must look in r.pending for a whole line before it reads again.")
	want = append(want, ServerMessageLine("eno\n"), ServerMessageLine("owt\n"))
	t.ExpectOutput(p, want, s2Reply)
}

func s2Control(t *T) {
	p, srv := connectedClient(t)
	want := []string{ClientConnectedLine}
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
		want = append(want, ServerMessageLine(answer))
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
	t.ExpectOutput(p, []string{ClientConnectedLine, ServerMessageLine("eno\n"), ServerMessageLine("owt\n"), ServerMessageLine("eerht\n")}, s2Reply)
}

package milestones

import "math/rand/v2"

// Stage 2's challenges about what the client is given: its flags, and
// lines on stdin that are long or lack their newline.

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
	t.ExpectOutput(p, []string{ClientConnectedLine, ServerMessageLine(reply(line))}, s2Reply)
}

func s2NoNewline(t *T) {
	p, srv := connectedClient(t)
	want := append([]string{ClientConnectedLine}, trade(t, p, srv, "one\n")...)
	t.WriteStdin(p, "two")
	t.CloseStdin(p)
	expectSent(t, p, srv, "two", "two\n")
	srv.Send("owt\n")
	expectMessage(t, p, "owt\n")
	t.ExpectExit(p, 0, s2Input)
	t.ExpectOutput(p, append(want, ServerMessageLine("owt\n")), s2Input)
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

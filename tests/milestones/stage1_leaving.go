package milestones

// Stage 1's challenges about a client leaving: with a line unfinished, or
// with a reset instead of a close.

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
	t.ExpectOutput(srv.Process, append(header(srv), MessageLine("abc\n"), MessageLine("def"), ClosingLine), s1Leave)
	t.ExpectExit(srv.Process, 1, s1Leave)
}

func s1Reset(t *T) {
	srv, c := connectClient(t)
	want := append(header(srv), t.Exchange(c, s1Answer, "abc\n")...)
	c.Reset()
	t.ExpectOutput(srv.Process, append(want, ClosingLine), s1Leave)
	t.ExpectExit(srv.Process, 1, s1Leave)
}

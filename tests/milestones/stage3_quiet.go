package milestones

import "workbook/tests/harness"

// Stage 3's challenge about -quiet.

func s3Quiet(t *T) {
	srv := start3(t, harness.Options{Args: []string{"-quiet", "-max-line", "16"}})
	c1 := t.Dial(srv, s3Watch)
	c2 := t.Dial(srv, s3Watch)
	t.Exchange(c1, s3Serve, "hello\n")
	t.Exchange(c2, s3Serve, "hi\n", "hey\n")
	c1.Close()
	c3 := t.Dial(srv, s3Watch)
	t.Exchange(c3, s3Serve, "new\n")
	c2.Send("0123456789abcdefg\n")
	t.ExpectClosed(c2, tooLongDropped, "a 17-byte line with -max-line 16", s3Serve)
	waitCount(t, srv.Process, 1, isWarn, "[WARN]", s3Serve, "")
	t.Exchange(c3, s3Serve, "last\n")
	want := []string{ListeningLine(srv.Port), AnyWarning}
	settle(srv) // the last round's lines are flushed before the next wait
	got := srv.Output(harness.Stdout)
	if !matchLines(want, got) {
		t.Fail(Failure{
			Summary: "with -quiet the server should print only its listening line and the [WARN] line",
			Want:    want,
			Got:     got,
		})
	}
}

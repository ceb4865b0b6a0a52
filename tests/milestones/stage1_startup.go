package milestones

import (
	"fmt"
	"net"

	"workbook/tests/harness"
)

// Stage 1's challenges about starting up: the port, and the flags.

func s1PortInUse(t *T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Failf("could not occupy a port: %v", err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	t.Notef("the check itself listens on 127.0.0.1:%d", port)
	p := t.Start("-port", fmt.Sprint(port))
	t.ExpectExit(p, 1, s1Bind)
	want := fmt.Sprintf("[ERROR] bind 127.0.0.1:%d: address already in use", port)
	if got := p.Output(harness.Stderr); len(got) != 1 || got[0] != want {
		t.Fail(Failure{Summary: "stderr should hold exactly one [ERROR] line naming the call and the address", Want: []string{want}, Got: got})
	}
	if got := p.Output(harness.Stdout); len(got) != 0 {
		t.Fail(Failure{
			Summary: "nothing should be printed to stdout when the server cannot listen",
			Want:    []string(nil),
			Got:     got,
			Hint:    "Print the listening line only after bind(2) and listen(2) have both succeeded.",
		})
	}
}

func s1PortZero(t *T) {
	p := t.Start("-port", "0")
	line, err := p.NextLine(waitOutput)
	if err != nil {
		t.failWaiting(p, err, "[INFO] Server listening on port <the port the kernel chose>", s1Bind)
	}
	var port int
	if _, err := fmt.Sscanf(line, "[INFO] Server listening on port %d", &port); err != nil || line != ListeningLine(port) || port == 0 {
		t.Fail(Failure{
			Summary: "with -port 0 the listening line should show the port the kernel chose, not 0",
			Want:    "[INFO] Server listening on port <1 to 65535>",
			Got:     line,
		})
	}
	srv := &Server{Process: p, Port: port}
	c := t.Dial(srv, s1Bind)
	t.ExpectLine(p, ConnectedLine, s1Accept)
	t.ExpectOutput(p, header(srv), s1Accept)
	t.Exchange(c, s1Answer, "ok\n")
}

func s1Restart(t *T) {
	srv, c := connectClient(t, "-max-line", "4")
	// The whole line arrives in one read and nothing is left unread, so the
	// server's close is an orderly FIN: its side of the connection goes
	// through TIME_WAIT, which holds on to the port.
	c.Send("toolong\n")
	expectDropped(t, c, "toolong\n")
	c.Close()
	t.ExpectExit(srv.Process, 1, s1Leave)
	t.Notef("starting again on port %d, which has a connection in TIME_WAIT", srv.Port)
	p := t.Start("-port", fmt.Sprint(srv.Port))
	line, err := p.NextLine(waitOutput)
	if err != nil || line != ListeningLine(srv.Port) {
		f := Failure{
			Summary: "the server could not start again on the port it just used",
			Want:    ListeningLine(srv.Port),
			Got:     line,
			Step:    s1Socket,
		}
		if errs := p.Output(harness.Stderr); len(errs) > 0 {
			f.Got = errs[len(errs)-1]
		}
		t.Fail(f)
	}
}

func s1BadFlags(t *T) {
	expectBadFlags(t, s1Socket,
		[]string{"-port", "http"},
		[]string{"-port", "70000"},
		[]string{"-port", "-1"},
		[]string{"-host", "localhost"},
		[]string{"-host", "::1"},
		[]string{"-max-line", "0"},
		[]string{"-no-such-flag"},
	)
}

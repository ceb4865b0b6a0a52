package lessons

import "workbook/tests/harness"

// Stage 1's sessions: the server in terminal 1, nc in terminal 2.
var stage1Sessions = map[string]sessionFunc{
	// Terminal 1 starts the server; terminal 2 runs the pipeline. The
	// block shows terminal 2.
	"what-you-build": func(s *Session) {
		srv := s.server(s.terminal(false), s.st.Dir, s.program())
		t2 := s.terminal(false)
		t2.pipe(`printf 'hello\n' | nc -N 127.0.0.1 8080`, "hello\n")
		srv.exit()
		s.show(false, t2)
	},
	// Terminal 2 connects with nc and types nothing; the server goes on to
	// the Step not done yet.
	"m1-nc-connects": func(s *Session) {
		srv := s.server(s.terminal(false), s.st.Dir, s.program())
		s.terminal(true).ncToEnd("nc 127.0.0.1 8080")
		srv.exit()
		s.show(true, s.terms...)
	},
	"m2-reverses":     pipeToServer(`printf 'hello\n' | nc -N 127.0.0.1 8080`, "hello\n"),
	"m3-partial-line": pipeToServer(`printf 'hello\nworld\nabc\ndef' | nc -N 127.0.0.1 8080`, "hello\nworld\nabc\ndef"),
	// Terminal 1 runs nc -l on the port, which the server in terminal 2
	// then cannot bind.
	"port-in-use": func(s *Session) {
		t1 := s.terminal(false)
		t1.command("nc -l 127.0.0.1 8080")
		l, err := harness.Listen(t1.tr)
		s.must(err)
		s.cleanup(func() { l.Close() })
		s.usePort(l.Port())
		srv := s.goRun(s.terminal(false), s.st.Dir, s.program())
		srv.exit()
		s.show(true, s.terms...)
	},
}

// pipeToServer returns a session in which terminal 1 starts the server and,
// once it listens, terminal 2 runs a printf | nc -N pipeline (shown) that
// sends input. The block shows both, and ends when the server exits.
func pipeToServer(shown, input string) sessionFunc {
	return func(s *Session) {
		srv := s.server(s.terminal(false), s.st.Dir, s.program())
		s.terminal(false).pipe(shown, input)
		srv.exit()
		s.show(true, s.terms...)
	}
}

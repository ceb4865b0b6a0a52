package lessons

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"workbook/tests/harness"
	"workbook/tests/milestones"
)

// A Session is a scripted session with one or more terminals: a server in
// one, nc or a client in another, say. Each is a Go function in sessions
// (one file per stage), written from the script that the lesson describes
// in an HTML comment after its marker. Its programs use a free port, which
// the session's blocks show as 8080, the lessons' port.
type Session struct {
	ctx   context.Context
	w     *Workspace
	r     Recipe
	st    *milestones.Stage
	port  int
	ports map[int]int // the free ports used, and the ports the blocks show instead
	terms []*terminal
	stops []func()
	// shown lists the terminals the block shows, in order; all of them
	// when empty. label says whether each part starts with "# terminal N".
	shown []*terminal
	label bool
	// normalise, if set, makes the run's lines and the lesson's the same
	// where this session's output changes from run to run in ways that
	// Normalise does not know about.
	normalise func([]string) []string
}

// A sessionFunc scripts one session.
type sessionFunc func(s *Session)

// sessions holds every stage's sessions by name.
var sessions = map[int]map[string]sessionFunc{
	1: stage1Sessions,
	2: stage2Sessions,
	3: stage3Sessions,
	4: stage4Sessions,
}

// errSession carries a session's failure from must to runSession.
type errSession struct{ err error }

// must ends the session with err, if it is not nil.
func (s *Session) must(err error) {
	if err != nil {
		panic(errSession{err})
	}
}

// mustf ends the session with err, if it is not nil, saying what it did.
func (s *Session) mustf(err error, format string, a ...any) {
	if err != nil {
		panic(errSession{fmt.Errorf(format+": %w", append(a, err)...)})
	}
}

// cleanup registers f to run when the session ends, last first.
func (s *Session) cleanup(f func()) { s.stops = append(s.stops, f) }

// addr is the address the session's server listens on.
func (s *Session) addr() string { return "127.0.0.1:" + s.portArg() }

// usePort makes port the session's, shown as 8080 in place of the one it
// had.
func (s *Session) usePort(port int) {
	delete(s.ports, s.port)
	s.port = port
	s.ports[port] = 8080
}

// portArg is the session's port, as a -port flag takes it.
func (s *Session) portArg() string { return strconv.Itoa(s.port) }

// terminal opens the session's next terminal; echo says whether what is
// sent to its programs is typed there, and so shows.
func (s *Session) terminal(echo bool) *terminal {
	t := &terminal{s: s, n: len(s.terms) + 1, tr: harness.NewTranscript(), echo: echo}
	s.terms = append(s.terms, t)
	return t
}

// show says which terminals the block shows, and whether each part is
// labelled "# terminal N".
func (s *Session) show(label bool, ts ...*terminal) {
	s.shown, s.label = ts, label
}

// program returns the binary of the recipe's program.
func (s *Session) program() string {
	bin, err := s.w.Binary(s.ctx, s.r.Prog)
	s.must(err)
	return bin
}

// binaryOf returns the binary of the main package in dir, relative to the
// repository root.
func (s *Session) binaryOf(dir string) string {
	bin, err := s.w.BinaryOf(s.ctx, dir)
	s.must(err)
	return bin
}

// goRun starts bin in t as "go run ./dir args", on the session's port.
func (s *Session) goRun(t *terminal, dir, bin string, args ...string) *proc {
	shown := strings.TrimSpace("go run ./" + dir + " " + strings.Join(args, " "))
	return t.start(shown, true, bin, append(args, "-port", s.portArg())...)
}

// server starts the server bin in t as go run ./dir, and waits for its
// listening line.
func (s *Session) server(t *terminal, dir, bin string, args ...string) *proc {
	p := s.goRun(t, dir, bin, args...)
	p.waitFor("Server listening on port")
	return p
}

// A sessionRun is what a session's terminals showed.
type sessionRun struct {
	terms     [][]string // each terminal's lines, by number from 1
	shown     []int      // the terminals the block shows, by number
	label     bool       // whether each part starts with "# terminal N"
	normalise func([]string) []string
}

// block returns the session's block: the terminals it shows, a blank line
// between two, or terminal n alone when n is not 0.
func (sr *sessionRun) block(n int) ([]string, error) {
	if n > 0 {
		if n > len(sr.terms) {
			return nil, fmt.Errorf("the session has %d terminals, so there is no terminal %d to show", len(sr.terms), n)
		}
		return sr.terms[n-1], nil
	}
	var out []string
	for i, n := range sr.shown {
		lines := slices.Clone(sr.terms[n-1])
		if sr.label && len(lines) > 0 {
			// "# terminal N" at column 43, or one space after a longer line.
			lines[0] += strings.Repeat(" ", max(1, 42-len(lines[0]))) + fmt.Sprintf("# terminal %d", n)
		}
		if i > 0 {
			out = append(out, "")
		}
		out = append(out, lines...)
	}
	return out, nil
}

// runSession runs the recipe's session, once for every example that shows
// it: several blocks may each show one of its terminals, or cut it each in
// its own way.
func (w *Workspace) runSession(ctx context.Context, r Recipe) (*sessionRun, error) {
	key := fmt.Sprintf("%s @ %v", r.Name, r.Prog) // the options cut each block alike
	return w.sessions.get(key, func() (*sessionRun, error) {
		// Another process may take the free port before the session's
		// server binds it: then the session runs again, on another.
		for attempt := 1; ; attempt++ {
			sr, err := w.session(ctx, r)
			if !errors.Is(err, errPortTaken) || attempt == 3 {
				return sr, err
			}
		}
	})
}

// errPortTaken says that a session failed with a program that could not
// bind its port: someone else took it.
var errPortTaken = errors.New("address already in use")

func (w *Workspace) session(ctx context.Context, r Recipe) (sr *sessionRun, err error) {
	f := sessions[r.Stage][r.Name]
	if f == nil {
		return nil, fmt.Errorf("stage %d has no session %q: write it in tests/lessons/sessions%d.go", r.Stage, r.Name, r.Stage)
	}
	port, err := harness.FreePort()
	if err != nil {
		return nil, err
	}
	s := &Session{ctx: ctx, w: w, r: r, st: milestones.StageByNumber(r.Stage), port: port, ports: map[int]int{port: 8080}}
	defer func() {
		if v := recover(); v != nil {
			e, ok := v.(errSession)
			if !ok {
				panic(v)
			}
			sr, err = nil, fmt.Errorf("session %s: %w", r.Name, e.err)
			var se *SkipError
			if errors.As(e.err, &se) {
				err = e.err
			}
			for _, t := range s.terms {
				if slices.ContainsFunc(t.render(), func(l string) bool { return strings.Contains(l, errPortTaken.Error()) }) {
					err = fmt.Errorf("session %s: %w (%v)", r.Name, errPortTaken, e.err)
				}
			}
		}
		// Last, once the terminals are read: stopping a program may make
		// it, or another, print more.
		for i := len(s.stops) - 1; i >= 0; i-- {
			s.stops[i]()
		}
	}()
	f(s)
	sr = &sessionRun{label: s.label, normalise: s.normalise}
	for _, t := range s.terms {
		sr.terms = append(sr.terms, showPorts(t.render(), s.ports))
	}
	for _, t := range s.shown {
		sr.shown = append(sr.shown, t.n)
	}
	if len(sr.shown) == 0 {
		for n := range sr.terms {
			sr.shown = append(sr.shown, n+1)
		}
	}
	return sr, nil
}

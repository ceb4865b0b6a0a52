package lessons

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"workbook/tests/harness"
)

// A Run is what a recipe's real run shows.
type Run struct {
	Lines []string // the block: the command line, then the output, cut by the options
	// Normalise, if set, is the session's own normalisation, applied
	// after Normalise to the run and to the lesson's block alike.
	Normalise func([]string) []string
}

// Produce runs example e's recipe for real and returns its block.
func (w *Workspace) Produce(ctx context.Context, e Example) (Run, error) {
	var (
		r       = e.Recipe
		lines   []string
		running bool
		norm    func([]string) []string
		err     error
	)
	switch r.Kind {
	case "check":
		lines, err = w.runCheck(ctx, r)
	case "run":
		lines, running, err = w.runProgram(ctx, r)
	case "session":
		var sr *sessionRun
		if sr, err = w.runSession(ctx, r); err == nil {
			norm = sr.normalise
			lines, err = sr.block(shownTerminal(e.Comment))
		}
	default:
		err = fmt.Errorf("unknown recipe kind %q", r.Kind)
	}
	if err != nil {
		return Run{}, err
	}
	lines, err = Cut(r, lines, running)
	return Run{Lines: lines, Normalise: norm}, err
}

var terminalOf = regexp.MustCompile(`^terminal (\d+) of \d+`)

// shownTerminal returns N when a session's comment says that its block
// shows "terminal N of M", and 0 otherwise.
func shownTerminal(comment string) int {
	m := terminalOf.FindStringSubmatch(comment)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// runCheck runs the check command as the recipe says, in a directory laid
// out like the workbook with the recipe's program as the stage's
// directory (see Tree), and returns what it prints on stdout, and then
// what go run says about its exit status.
func (w *Workspace) runCheck(ctx context.Context, r Recipe) ([]string, error) {
	check, err := w.CheckCommand(ctx)
	if err != nil {
		return nil, err
	}
	tree, err := w.Tree(r.Prog)
	if err != nil {
		return nil, err
	}
	args := slices.Clone(r.Args)
	soloShown := ""
	if i := slices.Index(args, "-dir"); i >= 0 {
		// -dir ~/my-stageN: the program, in a module of its own.
		if i+1 >= len(args) || args[i+1] != fmt.Sprintf("~/my-stage%d", r.Stage) {
			return nil, fmt.Errorf("check with -dir: want -dir ~/my-stage%d, as the lessons' On your own sections say", r.Stage)
		}
		solo, err := w.Solo(ctx, r.Prog)
		if err != nil {
			return nil, err
		}
		args[i+1] = solo
		soloShown = solo
	}
	cmd := exec.CommandContext(ctx, check, append(args, strconv.Itoa(r.Stage))...)
	cmd.Dir = tree
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "TERM=dumb")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, fmt.Errorf("running the check command: %v\n%s", err, stderr.String())
	}
	text := stdout.String()
	if soloShown != "" {
		// Shown as the learner's home would have it.
		text = strings.ReplaceAll(text, soloShown, "/"+SoloHome+"/"+filepath.Base(soloShown))
	}
	lines := append([]string{"$ go run ./tests/cmd/check " + strings.Join(append(slices.Clone(r.Args), strconv.Itoa(r.Stage)), " ")},
		strings.Split(strings.TrimSuffix(text, "\n"), "\n")...)
	if exit != nil {
		if exit.ExitCode() < 0 {
			return nil, fmt.Errorf("the check command was killed (%v):\n%s", err, stderr.String())
		}
		lines = append(lines, fmt.Sprintf("exit status %d", exit.ExitCode()))
	}
	return lines, nil
}

// runProgram runs the recipe's program as go run ./stageN-x [args] would,
// until it exits, or, with [head N], until it has printed N lines (then it
// stops it, and reports that it was still running). A program given no
// -port gets a free one, shown as the default 8080, so that a run on a
// shared machine never meets somebody else's server.
func (w *Workspace) runProgram(ctx context.Context, r Recipe) (lines []string, running bool, err error) {
	// Another process may take the free port before the program binds it:
	// then it runs again, on another.
	for attempt := 1; ; attempt++ {
		lines, running, err = w.runOnce(ctx, r)
		taken := slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, errPortTaken.Error()) })
		if err != nil || !taken || slices.Contains(r.Args, "-port") || attempt == 3 {
			return lines, running, err
		}
	}
}

// runOnce runs the recipe's program once; see runProgram.
func (w *Workspace) runOnce(ctx context.Context, r Recipe) (lines []string, running bool, err error) {
	bin, err := w.Binary(ctx, r.Prog)
	if err != nil {
		return nil, false, err
	}
	port := 0
	args := slices.Clone(r.Args)
	if !slices.Contains(args, "-port") {
		if port, err = harness.FreePort(); err != nil {
			return nil, false, err
		}
		args = append(args, "-port", strconv.Itoa(port))
	}
	s := &Session{ctx: ctx, w: w, r: r}
	defer func() {
		for i := len(s.stops) - 1; i >= 0; i-- {
			s.stops[i]()
		}
		if v := recover(); v != nil {
			e, ok := v.(errSession)
			if !ok {
				panic(v)
			}
			err = e.err
		}
	}()
	t := s.terminal(false)
	shown := strings.TrimSpace("go run ./" + stageDir(r.Stage) + " " + strings.Join(r.Args, " "))
	p := t.start(shown, true, bin, args...)
	if r.Opts.Head > 0 {
		for range r.Opts.Head {
			_, err := p.NextLine(deadline)
			var exited *harness.ExitedError
			if errors.As(err, &exited) {
				break
			}
			if err != nil {
				return nil, false, fmt.Errorf("waiting for %d lines of output: %v", r.Opts.Head, err)
			}
		}
		running = p.Exited() == nil
		if !running {
			p.exit()
		}
	} else {
		p.exit()
	}
	return showPorts(t.render(), map[int]int{port: 8080}), running, nil
}

// stageDir returns the directory of stage n.
func stageDir(n int) string {
	st, err := stage(n)
	if err != nil {
		return fmt.Sprintf("stage%d", n)
	}
	return st.Dir
}

// showPorts shows each free port a run used (a key of ports) as the port
// the lessons use in its place (its value), such as 8080.
func showPorts(lines []string, ports map[int]int) []string {
	out := slices.Clone(lines)
	for real, shown := range ports {
		if real == 0 {
			continue
		}
		re := regexp.MustCompile(`\b` + strconv.Itoa(real) + `\b`)
		for i, l := range out {
			out[i] = re.ReplaceAllString(l, strconv.Itoa(shown))
		}
	}
	return out
}

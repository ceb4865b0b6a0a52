package lessons

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A Recipe says how to produce an example's block from a real run:
//
//	check S [flags] @ PROGRAM [options]   go run ./tests/cmd/check [flags] S, on PROGRAM
//	run S [args] @ PROGRAM [options]      go run ./stageS-x [args], until it exits
//	session S NAME @ PROGRAM [options]    the scripted session NAME (see sessions)
//
// PROGRAM is skeleton, step N, solution or mistake NAME, and the options
// are [head N], [lines A-B], [summary] and [only ID ...].
type Recipe struct {
	Text  string   // as the marker has it
	Kind  string   // "check", "run" or "session"
	Stage int      // S
	Args  []string // check's flags or run's arguments
	Name  string   // the session's name
	Prog  Program
	Opts  Options
}

// A Program is what a recipe runs: a stage's skeleton, the skeleton with
// Steps 1 to Step-1 done (Kind "step"), its solution, or a broken program of
// the gallery (Kind "mistake", Name its name).
type Program struct {
	Stage int
	Kind  string // "skeleton", "step", "solution" or "mistake"
	Step  int
	Name  string
}

func (p Program) String() string {
	switch p.Kind {
	case "step":
		return fmt.Sprintf("stage %d step %d", p.Stage, p.Step)
	case "mistake":
		return fmt.Sprintf("stage %d mistake %s", p.Stage, p.Name)
	}
	return fmt.Sprintf("stage %d %s", p.Stage, p.Kind)
}

// Options cut a run's output down to what the lesson shows.
type Options struct {
	Head     int      // [head N]: the first N lines after the command line, then "..."
	From, To int      // [lines A-B]: lines A to B, the command line being line 1
	Summary  bool     // [summary]: the check's header, status lines and closing lines
	Only     []string // [only ID ...]: the header, these checks' lines, the closing lines
}

var option = regexp.MustCompile(`\[([^\]]*)\]`)

// ParseRecipe parses the text of an example marker.
func ParseRecipe(text string) (Recipe, error) {
	r := Recipe{Text: text}
	left, right, ok := strings.Cut(text, " @ ")
	if !ok {
		return r, fmt.Errorf("recipe %q: want KIND S ... @ PROGRAM", text)
	}
	f := strings.Fields(left)
	if len(f) < 2 {
		return r, fmt.Errorf("recipe %q: want KIND S ... @ PROGRAM", text)
	}
	r.Kind = f[0]
	n, err := strconv.Atoi(f[1])
	if err != nil || n < 1 {
		return r, fmt.Errorf("recipe %q: %q is not a stage number", text, f[1])
	}
	r.Stage, r.Args = n, f[2:]
	switch r.Kind {
	case "check", "run":
	case "session":
		if len(r.Args) != 1 {
			return r, fmt.Errorf("recipe %q: want session S NAME", text)
		}
		r.Name, r.Args = r.Args[0], nil
	default:
		return r, fmt.Errorf("recipe %q: unknown kind %q: want check, run or session", text, r.Kind)
	}
	prog := right
	if i := strings.Index(right, "["); i >= 0 {
		prog = right[:i]
		if r.Opts, err = parseOptions(right[i:]); err != nil {
			return r, fmt.Errorf("recipe %q: %v", text, err)
		}
	}
	r.Prog, err = parseProgram(n, strings.TrimSpace(prog))
	if err != nil {
		return r, fmt.Errorf("recipe %q: %v", text, err)
	}
	return r, nil
}

func parseProgram(stage int, text string) (Program, error) {
	f := strings.Fields(text)
	p := Program{Stage: stage}
	switch {
	case len(f) == 1 && (f[0] == "skeleton" || f[0] == "solution"):
		p.Kind = f[0]
	case len(f) == 2 && f[0] == "step":
		n, err := strconv.Atoi(f[1])
		if err != nil || n < 1 {
			return p, fmt.Errorf("%q is not a Step number", f[1])
		}
		p.Kind, p.Step = "step", n
	case len(f) == 2 && f[0] == "mistake":
		p.Kind, p.Name = "mistake", f[1]
	default:
		return p, fmt.Errorf("program %q: want skeleton, step N, solution or mistake NAME", text)
	}
	return p, nil
}

func parseOptions(text string) (Options, error) {
	var o Options
	rest := strings.TrimSpace(option.ReplaceAllString(text, ""))
	if rest != "" {
		return o, fmt.Errorf("%q is not an option: want [head N], [lines A-B], [summary] or [only ID ...]", rest)
	}
	for _, m := range option.FindAllStringSubmatch(text, -1) {
		f := strings.Fields(m[1])
		var err error
		switch {
		case len(f) == 2 && f[0] == "head":
			o.Head, err = strconv.Atoi(f[1])
			if err == nil && o.Head < 1 {
				err = fmt.Errorf("want at least one line")
			}
		case len(f) == 2 && f[0] == "lines":
			a, b, _ := strings.Cut(f[1], "-")
			o.From, err = strconv.Atoi(a)
			if err == nil {
				o.To, err = strconv.Atoi(b)
			}
			if err == nil && (o.From < 1 || o.To < o.From) {
				err = fmt.Errorf("want 1 <= A <= B")
			}
		case len(f) == 1 && f[0] == "summary":
			o.Summary = true
		case len(f) > 1 && f[0] == "only":
			o.Only = f[1:]
		default:
			err = fmt.Errorf("unknown option")
		}
		if err != nil {
			return o, fmt.Errorf("option [%s]: %v", m[1], err)
		}
	}
	return o, nil
}

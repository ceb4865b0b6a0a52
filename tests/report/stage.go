package report

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"workbook/tests/milestones"
)

// Heading writes the line that starts a stage's report.
func Heading(w io.Writer, st *milestones.Stage, dir string, s Style) {
	fmt.Fprintf(w, "%s %s\n", s.paint(bold, fmt.Sprintf("Stage %d: %s", st.Number, st.Title)), s.paint(dim, "("+dir+")"))
}

// BuildError writes a compile failure: the compiler's words, with each
// file named as the learner knows it (dir is the checked directory, shown
// that way) and each error followed by the Step its line belongs to.
func BuildError(w io.Writer, sr *milestones.StageResult, dir string, s Style) {
	fmt.Fprintf(w, "  %s %s\n", s.fail(), s.paint(bold, "it does not compile"))
	var b strings.Builder
	b.WriteString(s.paint(red, "go build says:") + "\n")
	var out []string
	for _, line := range strings.Split(sr.BuildErr.Output, "\n") {
		if m := compileError.FindStringSubmatchIndex(line); m != nil {
			file := line[m[2]:m[3]]
			var n int
			fmt.Sscan(line[m[4]:m[5]], &n)
			// The go command names files from the directory it ran in,
			// which is the stage's own: "./server.go".
			if dir != "" && !filepath.IsAbs(file) {
				line = strings.TrimSuffix(dir, "/") + "/" + strings.TrimPrefix(file, "./") + line[m[3]:]
			}
			if step := milestones.StepAt(sr.Dir, file, n); step > 0 {
				line += s.paint(yellow, fmt.Sprintf("   ← Step %d: %s", step, sr.Stage.StepTitle(step)))
			}
		}
		out = append(out, line)
	}
	b.WriteString(indent(strings.Join(out, "\n"), "  "))
	if hint := milestones.CompileHint(sr.BuildErr.Output); hint != "" {
		b.WriteString(s.paint(yellow, "hint: ") + hint + "\n")
	}
	w.Write([]byte(indent(b.String(), "      ")))
}

// ShowDir returns dir as the learner knows it: from the repository root
// when it is inside root, and as given otherwise. root is absolute, or
// empty when there is no repository.
func ShowDir(root, dir string) string {
	if root == "" {
		return dir
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return dir
	}
	return rel
}

// A Printer writes a stage's report while its checks run: a line as each
// check starts (on a terminal) and its result when it ends.
type Printer struct {
	W       io.Writer
	Style   Style
	Details Details
	// Brief leaves out failure details, for a stage shown after one that
	// already failed: its rows are there, its stories are not.
	Brief bool
}

// Progress is a milestones.Options.Progress function.
func (p *Printer) Progress(c *milestones.Check, res *milestones.Result) {
	s := p.Style
	if res == nil {
		if s.Terminal { // a line that the result will overwrite
			fmt.Fprintf(p.W, "  %s %s %s", s.paint(yellow, "…"), c.Name(), s.paint(dim, "(running)"))
		}
		return
	}
	if s.Terminal {
		fmt.Fprint(p.W, "\r\x1b[K")
	}
	Line(p.W, *res, s)
	if res.Status == milestones.Failed && !p.Brief {
		Failure(p.W, *res, p.Details, s)
	}
	if res.Status == milestones.Passed && p.Details.Full {
		Passing(p.W, *res, s)
	}
}

// Rest writes, after the checks ran, what the Progress calls did not: the
// compile error, and the checks that did not run.
func (p *Printer) Rest(sr *milestones.StageResult) {
	s := p.Style
	if sr.BuildErr != nil {
		BuildError(p.W, sr, p.Details.Dir, s)
	}
	skipped := 0
	for _, res := range sr.Results {
		if res.Status != milestones.NotRun {
			continue
		}
		if res.Check.Kind == milestones.Challenge {
			skipped++
			continue
		}
		Line(p.W, res, s)
	}
	if skipped > 0 {
		why := "add -challenges to run them"
		if !sr.MilestonesPassed() {
			why = "they run once the milestones pass"
		}
		fmt.Fprintf(p.W, "  %s %s\n", s.notRun(), s.paint(dim, fmt.Sprintf("%d challenges not run: %s", skipped, why)))
	}
}

// An Ending says what the check command was asked to do, for the line
// that ends its report.
type Ending struct {
	Root       string // the repository root, from which directories are shown
	Rerun      string // the check command with the flags that chose what was checked
	Challenges bool   // whether the challenges were run
	Pattern    string // -run's pattern, when it chose which checks ran
}

// Next writes the one line that says where the learner stands and what to
// do next, given the results of the stages checked, in order.
func Next(w io.Writer, results []*milestones.StageResult, e Ending, s Style) {
	for _, sr := range results {
		st := sr.Stage
		switch {
		case sr.BuildErr != nil:
			step := stepOfBuildError(sr)
			where := fmt.Sprintf("fix the compile error in %s", ShowDir(e.Root, sr.Dir))
			if step > 0 {
				where += fmt.Sprintf(" (in your code for %s)", StepRef(st, step))
			}
			fmt.Fprintf(w, "%s %s, then run the check again.\n", s.paint(bold, "Next:"), where)
			return
		case !sr.Passed():
			f := sr.FirstFailure()
			if f.Step() == 0 {
				// Not the program's failure: what it says is what to do.
				fmt.Fprintf(w, "%s Stage %d stopped at %s; its failure above says why, and what to do. Then run the check again.\n",
					s.paint(bold, "Next:"), st.Number, f.Check.Name())
				return
			}
			fmt.Fprintf(w, "%s Stage %d fails at %s. Read %s, then run the check again.\n",
				s.paint(bold, "Next:"), st.Number, f.Check.Name(), StepRef(st, f.Step()))
			return
		}
	}
	last := results[len(results)-1].Stage
	nextStage := milestones.StageByNumber(last.Number + 1)
	// The command for the challenges of what was just checked.
	more := e.Rerun + " -challenges"
	if len(results) == 1 {
		more += fmt.Sprintf(" %d", last.Number)
	}
	switch {
	case e.Pattern != "":
		fmt.Fprintf(w, "%s Every check that -run %q chose passes. Run the check without -run to see where you stand.\n",
			s.paint(green, "Well done!"), e.Pattern)
	case nextStage != nil && !e.Challenges:
		fmt.Fprintf(w, "%s Stage %d passes. Next: Stage %d, %s: read %s/README.md. (Optional: %s)\n",
			s.paint(green, "Well done!"), last.Number, nextStage.Number, nextStage.Title, nextStage.Dir, more)
	case nextStage != nil:
		fmt.Fprintf(w, "%s Stage %d passes. Next: Stage %d, %s: read %s/README.md.\n",
			s.paint(green, "Well done!"), last.Number, nextStage.Number, nextStage.Title, nextStage.Dir)
	case !e.Challenges:
		fmt.Fprintf(w, "%s Everything checked passes. For more, try the challenges: %s\n", s.paint(green, "Well done!"), more)
	default:
		fmt.Fprintf(w, "%s Everything checked passes, challenges included.\n", s.paint(green, "Well done!"))
	}
}

// LeftOut writes the line that names the checks of a stage that -run left
// out.
func LeftOut(w io.Writer, left []*milestones.Check, pattern string, s Style) {
	if len(left) == 0 {
		return
	}
	fmt.Fprintf(w, "  %s %s\n", s.notRun(), s.paint(dim, fmt.Sprintf("%d left out by -run %q: %s", len(left), pattern, IDs(left))))
}

// IDs lists checks by ID: "M1, M2, crlf".
func IDs(checks []*milestones.Check) string {
	ids := make([]string, len(checks))
	for i, c := range checks {
		ids[i] = c.ID
	}
	return strings.Join(ids, ", ")
}

// compileError matches the "file.go:12:5:" that starts a compiler error.
var compileError = regexp.MustCompile(`(?m)^(?:\./)?([^\s:]+\.go):(\d+)`)

// stepOfBuildError returns the Step of the first compile error, from the
// nearest TODO(step N) marker above its line, or 0 when unknown.
func stepOfBuildError(sr *milestones.StageResult) int {
	m := compileError.FindStringSubmatch(sr.BuildErr.Output)
	if m == nil {
		return 0
	}
	var line int
	fmt.Sscan(m[2], &line)
	return milestones.StepAt(sr.Dir, m[1], line)
}

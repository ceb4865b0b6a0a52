package report

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"workbook/tests/milestones"
)

// Heading writes the line that starts a stage's report.
func Heading(w io.Writer, st *milestones.Stage, dir string, s Style) {
	fmt.Fprintf(w, "%s %s\n", s.paint(bold, fmt.Sprintf("Stage %d: %s", st.Number, st.Title)), s.paint(dim, "("+dir+")"))
}

// BuildError writes a compile failure: the compiler's words, each error
// with the Step its line belongs to.
func BuildError(w io.Writer, sr *milestones.StageResult, s Style) {
	fmt.Fprintf(w, "  %s %s\n", s.fail(), s.paint(bold, "it does not compile"))
	var b strings.Builder
	b.WriteString(s.paint(red, "go build says:") + "\n")
	// After each error, the Step its line belongs to.
	var out []string
	for _, line := range strings.Split(sr.BuildErr.Output, "\n") {
		if m := compileError.FindStringSubmatch(line); m != nil {
			var n int
			fmt.Sscan(m[2], &n)
			if step := milestones.StepAt(sr.Dir, m[1], n); step > 0 {
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
		BuildError(p.W, sr, s)
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

// Next writes the one line that says where the learner stands and what to
// do next, given the results of the stages checked, in order, whether the
// challenges were run, and the check command that chose them (flags
// included), for suggesting the next command.
func Next(w io.Writer, results []*milestones.StageResult, challenges bool, rerun string, s Style) {
	for _, sr := range results {
		st := sr.Stage
		switch {
		case sr.BuildErr != nil:
			step := stepOfBuildError(sr)
			where := fmt.Sprintf("fix the compile error in %s", sr.Dir)
			if step > 0 {
				where += fmt.Sprintf(" (in your code for %s)", StepRef(st, step))
			}
			fmt.Fprintf(w, "%s %s, then run the check again.\n", s.paint(bold, "Next:"), where)
			return
		case !sr.Passed():
			f := sr.FirstFailure()
			fmt.Fprintf(w, "%s Stage %d fails at %s. Read %s, then run the check again.\n",
				s.paint(bold, "Next:"), st.Number, f.Check.Name(), StepRef(st, f.Step()))
			return
		}
	}
	last := results[len(results)-1].Stage
	nextStage := milestones.StageByNumber(last.Number + 1)
	// The command for the challenges of what was just checked.
	more := rerun + " -challenges"
	if len(results) == 1 {
		more += fmt.Sprintf(" %d", last.Number)
	}
	switch {
	case nextStage != nil && !challenges:
		fmt.Fprintf(w, "%s Stage %d passes. Next: Stage %d, %s: read %s/README.md. (Optional: %s)\n",
			s.paint(green, "Well done!"), last.Number, nextStage.Number, nextStage.Title, nextStage.Dir, more)
	case nextStage != nil:
		fmt.Fprintf(w, "%s Stage %d passes. Next: Stage %d, %s: read %s/README.md.\n",
			s.paint(green, "Well done!"), last.Number, nextStage.Number, nextStage.Title, nextStage.Dir)
	case !challenges:
		fmt.Fprintf(w, "%s Everything checked passes. For more, try the challenges: %s\n", s.paint(green, "Well done!"), more)
	default:
		fmt.Fprintf(w, "%s Everything checked passes, challenges included.\n", s.paint(green, "Well done!"))
	}
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

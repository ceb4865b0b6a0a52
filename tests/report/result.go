package report

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"workbook/tests/harness"
	"workbook/tests/milestones"
)

// Line writes one check's status line.
func Line(w io.Writer, res milestones.Result, s Style) {
	c := res.Check
	switch res.Status {
	case milestones.Passed:
		fmt.Fprintf(w, "  %s %s %s\n", s.pass(), c.Name(), s.paint(dim, seconds(res.Elapsed)))
	case milestones.Failed:
		fmt.Fprintf(w, "  %s %s\n", s.fail(), s.paint(bold, c.Name()))
	default:
		fmt.Fprintf(w, "  %s %s %s\n", s.notRun(), s.paint(dim, c.Name()), s.paint(dim, "(not run)"))
	}
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("(%.1fs)", d.Seconds())
}

// Details says how much of a result to show.
type Details struct {
	Stage *milestones.Stage
	Dir   string // the checked directory as the learner knows it, for compile errors
	Run   string // how the learner runs the checked program, for repro commands
	Full  bool   // the whole transcript, rather than its end
	// Said, if set, remembers the advice given so far, so that advice is
	// given once in a run rather than with every failure.
	Said *Said
}

// Said remembers which advice has been given. The zero value has given
// none.
type Said struct {
	timeoutScale bool
}

// adviseScale reports whether to give the advice to stretch deadlines:
// once per Said, or every time without one.
func (d Details) adviseScale() bool {
	if d.Said == nil {
		return true
	}
	first := !d.Said.timeoutScale
	d.Said.timeoutScale = true
	return first
}

// deadlinePassed matches a failure's summary that says a deadline passed:
// "got no reply within 10s", "still running 10s later", "still sending
// after 30s". Every deadline is harness.Scaled, so the summary shows the
// scaled duration, which time.Duration formats as "10s", "1m30s" or
// "1.5s". A window the check watches on purpose ("used 2s of CPU in
// 300ms") is not a deadline, and does not match.
var deadlinePassed = regexp.MustCompile(`\b(within|after|still running) ` + duration + `|\b` + duration + ` later\b`)

// duration matches a time.Duration of a second or more, as String shows it.
const duration = `(\d+h)?(\d+m)?\d+(\.\d+)?s\b`

// tail is how many transcript events a failure shows by default.
const tail = 25

// Failure writes what went wrong in a failed check, as a story a learner
// can follow: the symptom, the values, the hint and Step, a command to try
// by hand, and the transcript.
func Failure(w io.Writer, res milestones.Result, d Details, s Style) {
	f, c := res.Failure, res.Check
	var b strings.Builder
	b.WriteString(s.paint(red, f.Summary) + "\n")
	if deadlinePassed.MatchString(f.Summary) && d.adviseScale() {
		b.WriteString(s.paint(dim, fmt.Sprintf("(on a slow machine, set %s=3)", harness.ScaleEnv)) + "\n")
	}
	if f.Sent != "" {
		fmt.Fprintf(&b, "sent:     %s\n", quote(f.Sent, s))
	}
	b.WriteString(compare(f.Want, f.Got, s))
	hint := f.Hint
	if hint == "" {
		hint = c.Hint
	}
	if hint != "" {
		b.WriteString(s.paint(yellow, "hint: ") + hint + "\n")
	}
	if step := res.Step(); step > 0 {
		fmt.Fprintf(&b, "revisit: %s\n", StepRef(d.Stage, step))
	}
	// A failure that is not the program's (the machine's limits) has
	// nothing to reproduce by hand.
	if len(c.Repro) > 0 && f.Step != milestones.NoStep {
		b.WriteString("try it by hand, each command in a terminal of its own:\n")
		for _, cmd := range c.Repro {
			fmt.Fprintf(&b, "  $ %s\n", strings.ReplaceAll(cmd, "{run}", d.Run))
		}
	}
	events := res.Events
	if !d.Full && len(events) > tail {
		fmt.Fprintf(&b, "what happened (the last %d of %d events; -v shows all):\n", tail, len(events))
		events = events[len(events)-tail:]
	} else {
		b.WriteString("what happened:\n")
	}
	b.WriteString(indent(Transcript(events, s), "  "))
	w.Write([]byte(indent(b.String(), "      ")))
}

// StepRef names a Step and where to read it: Step 4, "Read and answer
// lines", in stage1-server/README.md#step-4-read-and-answer-lines.
func StepRef(st *milestones.Stage, n int) string {
	title := st.StepTitle(n)
	if title == "" {
		return fmt.Sprintf("Step %d in %s/README.md", n, st.Dir)
	}
	return fmt.Sprintf("Step %d, %q, in %s/README.md#%s", n, title, st.Dir, Anchor(fmt.Sprintf("Step %d: %s", n, title)))
}

// Anchor returns the fragment GitHub gives a Markdown heading.
func Anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ' || r == '-':
			b.WriteRune('-')
		case r == '_' || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Transcript renders events, one a line: when, who, and what.
func Transcript(events []harness.Event, s Style) string {
	width := 0
	for _, e := range events {
		width = max(width, len(e.Who))
	}
	var b strings.Builder
	for _, e := range events {
		var text string
		switch e.Dir {
		case harness.In:
			text = "→ " + quoteEvent(e, s)
		case harness.Out:
			text = "← " + quoteEvent(e, s)
			if strings.HasSuffix(string(e.Who), string(harness.Stdout)) || strings.HasSuffix(string(e.Who), string(harness.Stderr)) {
				text = printed(e, s)
			}
		default:
			text = s.paint(dim, e.Text)
		}
		if e.Count > 1 {
			text += s.paint(dim, fmt.Sprintf("   (×%d in a row)", e.Count))
		}
		fmt.Fprintf(&b, "%s %-*s %s\n", s.paint(dim, fmt.Sprintf("%6.3fs", e.At.Seconds())), width, e.Who, text)
	}
	return b.String()
}

// Passing writes a passing check's transcript, for -v.
func Passing(w io.Writer, res milestones.Result, s Style) {
	w.Write([]byte(indent(Transcript(res.Events, s), "      ")))
}

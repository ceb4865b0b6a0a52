package lessons

import (
	"fmt"
	"regexp"
	"strings"

	"workbook/tests/milestones"
)

// elided is the line that stands for lines cut from a block.
const elided = "..."

// Cut applies a recipe's options to the lines of a run (its command line
// first). running says whether the program was still running when the run
// was cut short, which [head N] shows with "..." too.
func Cut(r Recipe, lines []string, running bool) ([]string, error) {
	o := r.Opts
	switch {
	case o.Head > 0:
		if len(lines) <= o.Head+1 && !running {
			return lines, nil
		}
		return append(append([]string(nil), lines[:min(len(lines), o.Head+1)]...), elided), nil
	case o.From > 0:
		if o.To > len(lines) {
			return nil, fmt.Errorf("[lines %d-%d]: the run showed only %d lines:\n%s", o.From, o.To, len(lines), strings.Join(lines, "\n"))
		}
		return lines[o.From-1 : o.To], nil
	case o.Summary:
		return keepOnly(lines, func(i int) bool { return statusLine.MatchString(lines[i]) })
	case len(o.Only) > 0:
		st := milestones.StageByNumber(r.Stage)
		names := map[string]bool{}
		for _, id := range o.Only {
			c := checkByID(st, id)
			if c == nil {
				return nil, fmt.Errorf("[only]: stage %d has no check %q", r.Stage, id)
			}
			names[c.Name()] = true
		}
		keep := checkLines(lines, names)
		for name := range names {
			if !keep.found[name] {
				return nil, fmt.Errorf("[only]: the run did not show %q:\n%s", name, strings.Join(lines, "\n"))
			}
		}
		return keepOnly(lines, func(i int) bool { return keep.lines[i] })
	}
	return lines, nil
}

// statusLine matches a line of the check's that gives a check's status.
var statusLine = regexp.MustCompile(`^  (PASS|FAIL|----) `)

// keepOnly keeps the check's header (its command line and the stage's
// line), the lines for which keep is true, and the closing lines: from the
// blank line before "Next:" or "Well done!" to the end. Each run of lines
// cut becomes one "...".
func keepOnly(lines []string, keep func(i int) bool) ([]string, error) {
	closing := -1
	for i := len(lines) - 1; i > 0; i-- {
		if lines[i] == "" && (strings.HasPrefix(lines[i+1], "Next:") || strings.HasPrefix(lines[i+1], "Well done!")) {
			closing = i
			break
		}
	}
	if closing < 0 || len(lines) < 2 {
		return nil, fmt.Errorf("no closing line (Next: or Well done!) in the check's output:\n%s", strings.Join(lines, "\n"))
	}
	var out []string
	cut := false
	for i, l := range lines {
		if i < 2 || i >= closing || keep(i) {
			if cut {
				out = append(out, elided)
				cut = false
			}
			out = append(out, l)
			continue
		}
		cut = true
	}
	return out, nil
}

// shownLines says which lines of a check's output belong to some checks,
// by name, and which of those names were found.
type shownLines struct {
	lines map[int]bool
	found map[string]bool
}

// checkLines finds the lines of the checks named: a PASS line, or a FAIL
// line and what follows it down to its "revisit:" line.
func checkLines(lines []string, names map[string]bool) shownLines {
	s := shownLines{lines: map[int]bool{}, found: map[string]bool{}}
	for i := 0; i < len(lines); i++ {
		m := statusLine.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		name := strings.TrimPrefix(lines[i], m[0])
		name = timing.ReplaceAllString(name, "")
		if !names[name] {
			continue
		}
		s.found[name] = true
		s.lines[i] = true
		if m[1] != "FAIL" {
			continue
		}
		for j := i + 1; j < len(lines) && !statusLine.MatchString(lines[j]); j++ {
			s.lines[j] = true
			if strings.HasPrefix(strings.TrimSpace(lines[j]), "revisit:") {
				break
			}
		}
	}
	return s
}

// timing matches how long a check took, at the end of its status line.
var timing = regexp.MustCompile(` \([0-9.]+s\)$`)

func checkByID(st *milestones.Stage, id string) *milestones.Check {
	if st == nil {
		return nil
	}
	for _, c := range st.Checks {
		if c.ID == id {
			return c
		}
	}
	return nil
}

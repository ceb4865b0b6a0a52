package report

import (
	"fmt"
	"io"
	"strings"

	"workbook/tests/milestones"
)

// Overview writes where the learner stands in every stage checked: a row
// per stage with each milestone's status and how many challenges passed.
func Overview(w io.Writer, results []*milestones.StageResult, s Style) {
	fmt.Fprintln(w, s.paint(bold, "Where you stand"))
	width := 0
	for _, sr := range results {
		width = max(width, len(sr.Stage.Title))
	}
	for _, sr := range results {
		var cells []string
		passed, ran, total := 0, 0, 0
		for _, res := range sr.Results {
			if res.Check.Kind == milestones.Challenge {
				total++
				if res.Status != milestones.NotRun {
					ran++
				}
				if res.Status == milestones.Passed {
					passed++
				}
				continue
			}
			cells = append(cells, fmt.Sprintf("%s %s", res.Check.ID, s.status(res.Status)))
		}
		if sr.BuildErr != nil {
			cells = []string{s.paint(red, "does not compile")}
		}
		challenges := fmt.Sprintf("challenges %d/%d", passed, total)
		if ran == 0 {
			challenges = fmt.Sprintf("%d challenges not run", total)
		}
		fmt.Fprintf(w, "  Stage %d  %-*s  %s   %s\n", sr.Stage.Number, width, sr.Stage.Title,
			strings.Join(cells, "  "), s.paint(dim, challenges))
	}
}

func (s Style) status(st milestones.Status) string {
	switch st {
	case milestones.Passed:
		return s.pass()
	case milestones.Failed:
		return s.fail()
	}
	return s.notRun()
}

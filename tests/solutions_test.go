package tests

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"workbook/tests/milestones"
	"workbook/tests/report"
)

// TestSolutions runs every milestone and challenge against the reference
// solutions. Run one stage's milestones with -run 'TestSolutions/stage1/M'.
func TestSolutions(t *testing.T) {
	t.Parallel()
	for _, st := range milestones.Stages() {
		t.Run(fmt.Sprintf("stage%d", st.Number), func(t *testing.T) {
			t.Parallel()
			dir := "solutions/" + st.Dir
			prog := milestones.Program{Bin: build(t, dir), Run: "go run ./" + dir, Dir: filepath.Join(root, dir), Busy: busy}
			for _, c := range st.Checks {
				t.Run(c.ID, func(t *testing.T) {
					t.Parallel()
					res := milestones.Run(context.Background(), c, prog)
					if res.Status != milestones.Passed {
						t.Fatalf("%s failed:\n%s", c.Name(), failureText(st, res, prog.Run))
					}
				})
			}
		})
	}
}

// failureText renders a failed result as the check command shows it, with
// the whole transcript.
func failureText(st *milestones.Stage, res milestones.Result, run string) string {
	var b strings.Builder
	report.Failure(&b, res, report.Details{Stage: st, Run: run, Full: true}, report.Style{})
	return b.String()
}

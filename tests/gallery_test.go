package tests

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"workbook/tests/gallery"
	"workbook/tests/milestones"
	"workbook/tests/report"
)

// TestGallery checks each broken program as the check command would, and
// holds the checks to what the mistake says they catch. See
// gallery_run_test.go for how many run at once, and for the flags that run
// every challenge (-gallery.full) or each program many times over
// (-gallery.runs).
func TestGallery(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	// The later stages' programs first: their checks take longest.
	for _, st := range slices.Backward(milestones.Stages()) {
		for _, b := range gallery.Of(st.Number) {
			wg.Go(func() { checkBroken(t, st, b) })
		}
	}
	wg.Wait()
}

// assess holds the results of checking b to what b says must fail, and how.
func assess(t *testing.T, b gallery.Broken, st *milestones.Stage, results []milestones.Result) {
	t.Helper()
	var failed []string
	caughtByTiming := false
	for _, res := range results {
		if res.Status != milestones.Failed {
			continue
		}
		want, expected := b.Fails()[res.Check.ID]
		if expected {
			failed = append(failed, res.Check.ID)
		} else {
			want, expected = b.MayFail()[res.Check.ID]
			caughtByTiming = caughtByTiming || (expected && res.Check.Kind == milestones.Milestone)
		}
		if !expected {
			t.Errorf("%s failed, but this mistake should not make it fail:\n%s", res.Check.Name(), failureText(st, res, "go run ./"+st.Dir))
			continue
		}
		// The cause is in the failure's first lines, or in the end of its
		// transcript: rendering the whole transcript of a program that
		// spun and printed for a while would take much longer.
		if !strings.Contains(unindented(shortFailureText(st, res)), want) && !strings.Contains(unindented(failureText(st, res, "go run ./"+st.Dir)), want) {
			t.Errorf("%s failed without naming the cause %q:\n%s", res.Check.Name(), want, failureText(st, res, "go run ./"+st.Dir))
		}
	}
	wantFailed := []string{}
	for id := range b.Fails() {
		wantFailed = append(wantFailed, id)
	}
	sort.Slice(wantFailed, func(i, j int) bool { return checkIndex(st, wantFailed[i]) < checkIndex(st, wantFailed[j]) })
	if failed == nil {
		failed = []string{}
	}
	// A milestone that caught the mistake by timing stops the run
	// before the checks that catch it every time.
	if diff := cmp.Diff(wantFailed, failed); diff != "" && !caughtByTiming {
		t.Errorf("the checks that failed differ from the ones this mistake should fail (-want +got):\n%s%s", diff, passedTranscripts(b, results))
	}
}

// shortFailureText renders a failed result as the check command shows it
// without -v: the end of its transcript only.
func shortFailureText(st *milestones.Stage, res milestones.Result) string {
	var b strings.Builder
	report.Failure(&b, res, report.Details{Stage: st, Run: "go run ./" + st.Dir}, report.Style{})
	return b.String()
}

// unindented returns text with every line's indentation taken off, so that
// what a failure must show may span lines: "…\nrevisit: Step 2".
func unindented(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, " ")
	}
	return strings.Join(lines, "\n")
}

// passedTranscripts returns the transcripts of the checks in results that
// passed though b must fail them: what let the mistake through.
func passedTranscripts(b gallery.Broken, results []milestones.Result) string {
	var out strings.Builder
	for _, res := range results {
		if _, must := b.Fails()[res.Check.ID]; must && res.Status == milestones.Passed {
			fmt.Fprintf(&out, "%s passed; what happened:\n%s", res.Check.Name(), report.Transcript(res.Events, report.Style{}))
		}
	}
	return out.String()
}

// TestGalleryCoversEveryCheck makes sure that every check can fail: at
// least one broken program in the gallery fails it.
func TestGalleryCoversEveryCheck(t *testing.T) {
	caught := map[string]bool{}
	for _, st := range milestones.Stages() {
		for _, b := range gallery.Of(st.Number) {
			for id := range b.Fails() {
				caught[fmt.Sprintf("stage%d/%s", st.Number, id)] = true
			}
		}
	}
	for _, st := range milestones.Stages() {
		for _, c := range st.Checks {
			if !caught[fmt.Sprintf("stage%d/%s", st.Number, c.ID)] {
				t.Errorf("no broken program fails stage %d's %s: add one to the gallery that proves it can fail", st.Number, c.Name())
			}
		}
	}
}

func checkIndex(st *milestones.Stage, id string) int {
	return slices.IndexFunc(st.Checks, func(c *milestones.Check) bool { return c.ID == id })
}

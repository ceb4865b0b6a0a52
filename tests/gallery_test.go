package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"workbook/tests/milestones"
	"workbook/tests/report"
)

// A broken program is one realistic learner mistake, and exactly which
// checks must catch it and how. Each stage's are in a plain table of its
// own, stageNGallery in gallery_stageN_test.go, one entry per mistake.
//
// Each one is checked as "go run ./tests/cmd/check -challenges -dir"
// checks a learner's program: milestones in order up to the first that
// fails, and then, only if they all passed, the challenges. By default
// those are only the challenges it must fail; with -gallery.full, every
// challenge, and all the others must pass.
//
// Most are the reference solution with a small edit, applied to a copy at
// test time: that keeps each mistake down to the lines that make it, and an
// edit that no longer applies (because the solution changed) fails loudly
// instead of testing something else. A broken program that is a different
// program altogether names its directory instead.
type broken struct {
	name string // what the learner did, as a slug
	// dir is the program to start from, relative to the repository root:
	// the stage's reference solution when empty.
	dir   string
	edits []edit // applied to a copy of dir
	// fails maps the ID of every check that must fail to a piece of text
	// its failure must show: the real cause, or the hint that names it.
	// (Lines are compared without their indentation, so the piece may span
	// the end of the hint and the "revisit:" line after it.)
	// That is one milestone, or the challenges that fail once every
	// milestone passes. Every other check that runs must pass, except
	// those in mayFail.
	fails map[string]string
	// mayFail lists checks that catch the mistake only when timing exposes
	// it, such as a client connecting in the moment between a listening
	// line printed too early and the listen(2) after it. They may pass or
	// fail; when they fail, they must still name the cause.
	mayFail map[string]string
	// compileError, for a program that does not compile, is a piece of
	// text the report of its compile error must show; no check runs.
	compileError string
}

// An edit replaces old, which must occur exactly once in file, with new.
type edit struct{ file, old, new string }

// galleries holds each stage's broken programs, by stage number.
var galleries = map[int][]broken{
	1: stage1Gallery,
	2: stage2Gallery,
	3: stage3Gallery,
}

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
		for _, b := range galleries[st.Number] {
			wg.Go(func() { b.check(t, st) })
		}
	}
	wg.Wait()
}

// assess holds the results of checking b to what b says must fail, and how.
func (b broken) assess(t *testing.T, st *milestones.Stage, results []milestones.Result) {
	t.Helper()
	var failed []string
	caughtByTiming := false
	for _, res := range results {
		if res.Status != milestones.Failed {
			continue
		}
		want, expected := b.fails[res.Check.ID]
		if expected {
			failed = append(failed, res.Check.ID)
		} else {
			want, expected = b.mayFail[res.Check.ID]
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
	for id := range b.fails {
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
func passedTranscripts(b broken, results []milestones.Result) string {
	var out strings.Builder
	for _, res := range results {
		if _, must := b.fails[res.Check.ID]; must && res.Status == milestones.Passed {
			fmt.Fprintf(&out, "%s passed; what happened:\n%s", res.Check.Name(), report.Transcript(res.Events, report.Style{}))
		}
	}
	return out.String()
}

// TestGalleryCoversEveryCheck makes sure that every check can fail: at
// least one broken program in the gallery fails it.
func TestGalleryCoversEveryCheck(t *testing.T) {
	caught := map[string]bool{}
	for n, gallery := range galleries {
		for _, b := range gallery {
			for id := range b.fails {
				caught[fmt.Sprintf("stage%d/%s", n, id)] = true
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

// from returns the directory b starts from, relative to the repository
// root.
func (b broken) from(st *milestones.Stage) string {
	if b.dir == "" {
		return "solutions/" + st.Dir
	}
	return b.dir
}

// program makes b's program in dir: a copy of what it starts from, with
// its edits applied.
func (b broken) program(st *milestones.Stage, dir string) error {
	if err := copyPackage(filepath.Join(root, b.from(st)), dir); err != nil {
		return err
	}
	for _, e := range b.edits {
		path := filepath.Join(dir, e.file)
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if n := strings.Count(string(src), e.old); n != 1 {
			return fmt.Errorf("the edit to %s expects its text once in %s, found it %d times: has it changed?\n%s", e.file, b.from(st), n, e.old)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(src), e.old, e.new, 1)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// allBut returns, for every check of stage n except those named, cause:
// for a mistake that any of them may catch.
func allBut(n int, cause string, except ...string) map[string]string {
	fails := map[string]string{}
	for _, c := range milestones.StageByNumber(n).Checks {
		if !slices.Contains(except, c.ID) {
			fails[c.ID] = cause
		}
	}
	return fails
}

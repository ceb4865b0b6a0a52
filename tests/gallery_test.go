package tests

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"workbook/tests/milestones"
)

// A mistake is a broken program in the gallery: one realistic learner
// mistake, and exactly which checks must catch it and how.
//
// Each one is checked exactly as "go run ./tests/cmd/check -challenges -dir"
// checks a learner's program: milestones in order up to the first that
// fails, and then, only if they all passed, every challenge.
//
// Most mistakes are the reference solution with a small edit, applied to a
// copy at test time: that keeps each mistake down to the lines that make it,
// and an edit that no longer applies (because the solution changed) fails
// loudly instead of testing something else. A mistake that is a different
// program altogether names its directory instead.
type mistake struct {
	name  string // what the learner did, as a slug
	stage int
	// dir is the program to start from, relative to the repository root:
	// the stage's reference solution when empty.
	dir   string
	edits []edit // applied to a copy of dir
	// fails maps the ID of every check that must fail to a piece of text
	// its failure must show: the real cause, or the hint that names it.
	// That is one milestone, or the challenges that fail once every
	// milestone passes. Every other check that runs must pass, except
	// those in mayFail.
	fails map[string]string
	// mayFail lists checks that catch the mistake only when timing exposes
	// it, such as a client connecting in the moment between a listening
	// line printed too early and the listen(2) after it. They may pass or
	// fail; when they fail, they must still name the cause.
	mayFail map[string]string
}

// An edit replaces old, which must occur exactly once in file, with new.
type edit struct{ file, old, new string }

// gallery is every broken program, from the gallery_stageN_test.go files.
var gallery []mistake

// TestGallery runs every check of a stage against each broken program and
// holds the checks to what the mistake says they catch.
func TestGallery(t *testing.T) {
	for _, m := range gallery {
		t.Run(fmt.Sprintf("stage%d/%s", m.stage, m.name), func(t *testing.T) {
			t.Parallel()
			st := milestones.StageByNumber(m.stage)
			dir := m.program(t, st)
			sr, err := milestones.RunStage(context.Background(), st, dir, "go run ./"+st.Dir,
				milestones.Options{Challenges: true, BinDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if sr.BuildErr != nil {
				t.Fatalf("the broken program does not compile:\n%s", sr.BuildErr.Output)
			}
			if os.Getenv("GALLERY_PRINT") != "" {
				// For writing a new mistake's expectations: what fails, and how.
				for _, res := range sr.Results {
					if res.Status == milestones.Failed {
						t.Logf("%q: summary %q, hint %q", res.Check.ID, res.Failure.Summary, res.Failure.Hint)
					}
				}
			}
			var failed []string
			caughtByTiming := false
			for _, res := range sr.Results {
				if res.Status != milestones.Failed {
					continue
				}
				want, expected := m.fails[res.Check.ID]
				if expected {
					failed = append(failed, res.Check.ID)
				} else {
					want, expected = m.mayFail[res.Check.ID]
					caughtByTiming = caughtByTiming || (expected && res.Check.Kind == milestones.Milestone)
				}
				if !expected {
					t.Errorf("%s failed, but this mistake should not make it fail:\n%s", res.Check.Name(), failureText(st, res, "go run ./"+st.Dir))
					continue
				}
				if text := failureText(st, res, "go run ./"+st.Dir); !strings.Contains(text, want) {
					t.Errorf("%s failed without naming the cause %q:\n%s", res.Check.Name(), want, text)
				}
			}
			wantFailed := []string{}
			for id := range m.fails {
				wantFailed = append(wantFailed, id)
			}
			order := func(ids []string) {
				sort.Slice(ids, func(i, j int) bool { return checkIndex(st, ids[i]) < checkIndex(st, ids[j]) })
			}
			order(wantFailed)
			if failed == nil {
				failed = []string{}
			}
			// A milestone that caught the mistake by timing stops the run
			// before the checks that catch it every time.
			if diff := cmp.Diff(wantFailed, failed); diff != "" && !caughtByTiming {
				t.Errorf("the checks that failed differ from the ones this mistake should fail (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGalleryCoversEveryCheck makes sure that every check can fail: at
// least one broken program in the gallery fails it.
func TestGalleryCoversEveryCheck(t *testing.T) {
	caught := map[string]bool{}
	for _, m := range gallery {
		for id := range m.fails {
			caught[fmt.Sprintf("stage%d/%s", m.stage, id)] = true
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

// program returns the directory of the broken program, ready to build.
func (m mistake) program(t *testing.T, st *milestones.Stage) string {
	t.Helper()
	from := m.dir
	if from == "" {
		from = "solutions/" + st.Dir
	}
	if len(m.edits) == 0 {
		return filepath.Join(root, from)
	}
	dir := copyStage(t, from)
	for _, e := range m.edits {
		path := filepath.Join(dir, e.file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(b), e.old); n != 1 {
			t.Fatalf("the edit to %s expects its text once in the solution, found it %d times: has the solution changed?\n%s", e.file, n, e.old)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(b), e.old, e.new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
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

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

// A broken program is one realistic learner mistake, and exactly which
// checks must catch it and how. Each stage's are in a plain table of its
// own, stageNGallery in gallery_stageN_test.go, one entry per mistake.
//
// Each one is checked exactly as "go run ./tests/cmd/check -challenges -dir"
// checks a learner's program: milestones in order up to the first that
// fails, and then, only if they all passed, every challenge.
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

// galleries holds each stage's broken programs, by stage number.
var galleries = map[int][]broken{
	1: stage1Gallery,
	2: stage2Gallery,
	3: stage3Gallery,
}

// TestGallery runs every check of a stage against each broken program and
// holds the checks to what the mistake says they catch.
func TestGallery(t *testing.T) {
	for _, st := range milestones.Stages() {
		for _, b := range galleries[st.Number] {
			t.Run(fmt.Sprintf("stage%d/%s", st.Number, b.name), func(t *testing.T) {
				t.Parallel()
				dir := b.program(t, st)
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
				b.assess(t, &sr)
			})
		}
	}
}

// assess holds the results of checking b to what b says must fail, and how.
func (b broken) assess(t *testing.T, sr *milestones.StageResult) {
	t.Helper()
	st := sr.Stage
	var failed []string
	caughtByTiming := false
	for _, res := range sr.Results {
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
		if text := failureText(st, res, "go run ./"+st.Dir); !strings.Contains(text, want) {
			t.Errorf("%s failed without naming the cause %q:\n%s", res.Check.Name(), want, text)
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
		t.Errorf("the checks that failed differ from the ones this mistake should fail (-want +got):\n%s", diff)
	}
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

// program returns the directory of the broken program, ready to build.
func (b broken) program(t *testing.T, st *milestones.Stage) string {
	t.Helper()
	from := b.dir
	if from == "" {
		from = "solutions/" + st.Dir
	}
	if len(b.edits) == 0 {
		return filepath.Join(root, from)
	}
	dir := copyStage(t, from)
	for _, e := range b.edits {
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

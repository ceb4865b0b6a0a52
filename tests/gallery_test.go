package tests

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"workbook/tests/gallery"
	"workbook/tests/milestones"
)

// TestGallery runs every check of a stage against each broken program and
// holds the checks to what the mistake says they catch.
func TestGallery(t *testing.T) {
	for _, st := range milestones.Stages() {
		for _, b := range gallery.Of(st.Number) {
			t.Run(fmt.Sprintf("stage%d/%s", st.Number, b.Name()), func(t *testing.T) {
				t.Parallel()
				dir, err := b.Program(root, st, t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
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
				assess(t, b, &sr)
			})
		}
	}
}

// assess holds the results of checking b to what b says must fail, and how.
func assess(t *testing.T, b gallery.Broken, sr *milestones.StageResult) {
	t.Helper()
	st := sr.Stage
	var failed []string
	caughtByTiming := false
	for _, res := range sr.Results {
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
		if text := failureText(st, res, "go run ./"+st.Dir); !strings.Contains(text, want) {
			t.Errorf("%s failed without naming the cause %q:\n%s", res.Check.Name(), want, text)
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
		t.Errorf("the checks that failed differ from the ones this mistake should fail (-want +got):\n%s", diff)
	}
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

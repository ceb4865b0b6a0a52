package tests

import (
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"workbook/tests/harness"
	"workbook/tests/lessons"
	"workbook/tests/milestones"
)

// readLesson reads stage st's lesson as shipped (see shippedStage).
func readLesson(t *testing.T, st *milestones.Stage) *lessons.Lesson {
	t.Helper()
	l, err := lessons.Read(filepath.Join(shippedStage(t, st), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// placeholder matches a line that stands for code left out: "..."
var placeholder = regexp.MustCompile(`^\s*\.\.\.\s*(//.*)?$`)

// TestLessonFragmentsParse checks that every Go block in every lesson is
// Go: a file, declarations, or statements, where a line of "..." stands for
// code left out.
func TestLessonFragmentsParse(t *testing.T) {
	for _, st := range milestones.Stages() {
		l := readLesson(t, st)
		frags, err := l.Fragments()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range frags {
			if err := parses(f.Code()); err != nil {
				t.Errorf("%s:%d: this Go block does not parse: %v\n%s", l.Path, f.Line(), err, f.Code())
			}
		}
	}
}

func parses(code string) error {
	var kept []string
	for _, l := range strings.Split(code, "\n") {
		if !placeholder.MatchString(l) {
			kept = append(kept, l)
		}
	}
	code = strings.Join(kept, "\n")
	fset := token.NewFileSet()
	var errs []error
	for _, src := range []string{
		code,                                     // a whole file
		"package p\n" + code,                     // declarations
		"package p\nfunc _() {\n" + code + "\n}", // statements
	} {
		_, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return errs[len(errs)-1] // as statements: what most blocks are
}

// TestLessonFragmentsCompile checks every block marked as the body of a
// function ("<!-- body of openSocket -->" on the line before it): put in
// place of that function's body in a copy of the skeleton, with the
// imports its marker names ("<!-- body of f, importing "os" -->") added to
// the function's file, it must build. The blocks of the early Steps are
// compiled in the skeleton as shipped, where the later Steps still stop at
// todo(), exactly as for a learner who types them in.
func TestLessonFragmentsCompile(t *testing.T) {
	t.Parallel()
	for _, st := range milestones.Stages() {
		t.Run(st.Dir, func(t *testing.T) {
			t.Parallel()
			skeleton := shippedStage(t, st)
			l := readLesson(t, st)
			frags, err := l.Fragments()
			if err != nil {
				t.Fatal(err)
			}
			// One build per fragment, so an error names its block; they
			// take turns with every other build (buildOnce).
			var wg sync.WaitGroup
			for _, f := range frags {
				if f.Body == "" {
					continue
				}
				dir := t.TempDir()
				wg.Go(func() {
					if err := copyPackage(skeleton, dir); err != nil {
						t.Error(err)
						return
					}
					if err := lessons.SetBody(dir, f.Body, f.Code(), f.Imports); err != nil {
						t.Errorf("%s:%d: %v", l.Path, f.Line(), err)
						return
					}
					if _, err := buildOnce(dir); err != nil {
						var be *harness.BuildError
						if errors.As(err, &be) {
							err = errors.New(be.Output)
						}
						t.Errorf("%s:%d: as the body of %s, this block does not compile:\n%v\n%s", l.Path, f.Line(), f.Body, err, f.Code())
					}
				})
			}
			wg.Wait()
		})
	}
}

// TestLessonExamples produces every marked console block of every lesson
// from a real run of its recipe and compares them, normalised (see
// lessons.Normalise). The runs go on concurrently, many at once: most of
// their time is spent waiting on deadlines, not computing. With -short,
// the examples that run the challenges of Stage 3 or later are skipped:
// each takes up to half a minute.
func TestLessonExamples(t *testing.T) {
	t.Parallel()
	w := &lessons.Workspace{Root: root, Tmp: filepath.Join(binDir, "lessons")}
	all, err := w.Examples(nil)
	if err != nil {
		t.Fatal(err)
	}
	var results []lessons.Result
	for _, r := range all {
		if testing.Short() && r.Example.Recipe.Heavy() {
			t.Run(r.Where(), func(t *testing.T) {
				t.Skip("-short: this example runs the challenges of Stage 3 or later, which take up to half a minute")
			})
			continue
		}
		results = append(results, r)
	}
	w.RunAll(context.Background(), results, lessons.Concurrency{All: 8, Heavy: 3})
	for _, r := range results {
		t.Run(r.Where(), func(t *testing.T) {
			switch {
			case lessons.IsSkip(r.Err):
				t.Skip(r.Err)
			case r.Err != nil:
				t.Fatalf("%s: %v", r.Name(), r.Err)
			case !r.Same():
				t.Errorf("%s: %s\nIf the real run is right, rewrite the block from it: go run ./tests/cmd/lessons -update -run '%s'",
					r.Name(), r.Diff(), regexp.QuoteMeta(r.Where()+" "))
			}
		})
	}
}

// The summaries of the three folds every Step has, in this order.
var stepFolds = []string{"Hint 1: which calls", "Hint 2: the shape", "One way to write it"}

// TestLessonFormat holds every lesson to the format of the lessons: each
// "## Step N" section has a "**Your task.**" paragraph and then the three
// folds Hint 1, Hint 2 and One way to write it, one after the other (other
// folds may come before or after them); every <details> is closed, with a
// blank line after its summary and before its end (or GitHub does not
// render the Markdown inside); and no function body of a Step's answer
// (a "<!-- body of f -->" block) is outside a fold.
func TestLessonFormat(t *testing.T) {
	for _, st := range milestones.Stages() {
		l := readLesson(t, st)
		for _, p := range l.FormatProblems(stepFolds) {
			t.Errorf("%s:%s", l.Path, p)
		}
	}
}

// TestLessonSizes holds each lesson's text outside folds, what a reader
// meets without opening anything, under its target: 25 KB for Stages 1
// and 2, 40 KB from Stage 3 on. "go run ./tests/cmd/lessons -sizes" prints
// them all.
func TestLessonSizes(t *testing.T) {
	for _, st := range milestones.Stages() {
		l := readLesson(t, st)
		n, target := l.OutsideFolds(), lessons.SizeTarget(st.Number)
		if n < target {
			continue
		}
		sizes := l.Sizes()
		slices.SortStableFunc(sizes, func(a, b lessons.SectionSize) int { return b.Bytes - a.Bytes })
		var largest []string
		for _, s := range sizes[:min(5, len(sizes))] {
			largest = append(largest, fmt.Sprintf("%q %d", s.Title, s.Bytes))
		}
		t.Errorf("%s has %d bytes outside folds; the target is under %d: fold long transcripts, cut repetition. The largest sections, in bytes outside folds: %s",
			l.Path, n, target, strings.Join(largest, ", "))
	}
}

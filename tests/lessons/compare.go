package lessons

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-cmp/cmp"

	"workbook/tests/milestones"
)

// A Result is how one example compares with its real run.
type Result struct {
	Lesson  *Lesson
	Example Example
	Run     Run           // the real run's block
	Err     error         // the run could not be made; a *SkipError says why not here
	Elapsed time.Duration // how long the run took, waits for a turn left out
}

// Where says where the example is: the lesson's path from the repository
// root and the marker's line, as in "stage1-server/README.md:56".
func (r Result) Where() string { return fmt.Sprintf("%s:%d", r.Lesson.rel, r.Example.Line()) }

// Name names the example: where it is, and its recipe.
func (r Result) Name() string { return r.Where() + " " + r.Example.Recipe.Text }

// Same reports whether the lesson's block and the real run's are the same,
// once normalised.
func (r Result) Same() bool {
	return r.Err == nil && slices.Equal(r.normalise(r.Example.Block.Lines), r.normalise(r.Run.Lines))
}

func (r Result) normalise(lines []string) []string {
	lines = Normalise(lines)
	if r.Run.Normalise != nil {
		lines = r.Run.Normalise(lines)
	}
	return lines
}

// Diff shows how the lesson's block differs from the real run's, both
// normalised, then the real run's block as -update would write it.
func (r Result) Diff() string {
	d := cmp.Diff(r.normalise(r.Example.Block.Lines), r.normalise(r.Run.Lines))
	return fmt.Sprintf("the block differs from a real run (normalised; -%s, +real run):\n%s\nthe real run:\n%s",
		filepath.Base(r.Lesson.Path), d, strings.Join(r.Run.Lines, "\n"))
}

// Examples reads the lessons of every stage and returns their examples
// whose name (see Result.Name) matches filter (every one when it is nil).
func (w *Workspace) Examples(filter *regexp.Regexp) ([]Result, error) {
	var out []Result
	for _, st := range milestones.Stages() {
		l, err := w.Lesson(st.Number)
		if os.IsNotExist(err) {
			continue // a stage whose lesson is not written yet
		}
		if err != nil {
			return nil, err
		}
		l.rel = filepath.ToSlash(filepath.Join(st.Dir, "README.md"))
		exs, err := l.Examples()
		if err != nil {
			return nil, err
		}
		for _, e := range exs {
			r := Result{Lesson: l, Example: e}
			if filter == nil || filter.MatchString(r.Name()) {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// Concurrency bounds how many examples run at once, and how many of them
// may be heavy: a check with -challenges runs thousands of connections and
// megabytes of traffic, and on a small machine more than two of those at
// once would slow each other into their deadlines.
type Concurrency struct{ All, Heavy int }

// RunAll makes the real run of every example in results, concurrently, and
// fills in its Run or Err. The heavy ones start first, in order: they take
// longest, and the others fit in around them.
func (w *Workspace) RunAll(ctx context.Context, results []Result, c Concurrency) {
	all := make(chan struct{}, max(1, c.All))
	heavy := make(chan struct{}, max(1, c.Heavy))
	var wg sync.WaitGroup
	run := func(r *Result, slots ...chan struct{}) {
		for _, s := range slots {
			s <- struct{}{}
		}
		wg.Go(func() {
			defer func() {
				for _, s := range slots {
					<-s
				}
			}()
			start := time.Now()
			r.Run, r.Err = w.Produce(ctx, r.Example)
			r.Elapsed = time.Since(start)
		})
	}
	var dispatch sync.WaitGroup
	dispatch.Go(func() {
		for i := range results {
			if results[i].Example.Recipe.Heavy() {
				run(&results[i], heavy, all)
			}
		}
	})
	for i := range results {
		if !results[i].Example.Recipe.Heavy() {
			run(&results[i], all)
		}
	}
	dispatch.Wait()
	wg.Wait()
}

// Heavy reports whether the recipe runs a stage's challenges, which are
// heavy from Stage 3 on: thousands of connections, megabytes of traffic,
// and ten-second deadlines that a broken program lets pass.
func (r Recipe) Heavy() bool {
	return r.Kind == "check" && r.Stage >= 3 && slices.Contains(r.Args, "-challenges")
}

// Update writes the real run's block in place of each example's block that
// differs from it, and reports how many it rewrote. Examples that could
// not be run are left as they are.
func Update(results []Result) (int, error) {
	byLesson := map[*Lesson][]Result{}
	for _, r := range results {
		if r.Err == nil && !r.Same() {
			byLesson[r.Lesson] = append(byLesson[r.Lesson], r)
		}
	}
	n := 0
	for l, rs := range byLesson {
		// From the bottom up, so that the line numbers above stay right.
		slices.SortFunc(rs, func(a, b Result) int { return b.Example.Marker - a.Example.Marker })
		lines := slices.Clone(l.Lines)
		for _, r := range rs {
			b := r.Example.Block
			lines = slices.Replace(lines, b.Fence+1, b.Fence+1+len(b.Lines), r.Run.Lines...)
			n++
		}
		if err := os.WriteFile(l.Path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			return n, err
		}
		l.Lines = lines
	}
	return n, nil
}

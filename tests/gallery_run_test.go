package tests

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"workbook/tests/gallery"
	"workbook/tests/harness"
	"workbook/tests/milestones"
	"workbook/tests/report"
)

// How the gallery runs: which checks, how many times, and how many at once.

var (
	galleryRuns = flag.Int("gallery.runs", 1,
		"check each broken program `n` times over, every run on its own; each must fail as expected (-gallery.runs=20 is the 20-of-20 proof)")
	galleryFull = flag.Bool("gallery.full", false,
		"run every challenge against each broken program whose milestones pass, not only those it must fail; all the others must pass")
)

// Most of the time a check spends on a broken program goes on waiting for
// what never comes (a reply, a line, an exit) until its deadline runs out,
// which costs no CPU. So the gallery checks many broken programs at once,
// more than -parallel would allow: each in a subtest of its own, which does
// not call t.Parallel, from a goroutine of its own. galleryJobs bounds how
// many runs are under way at once; the busy parts of their checks take
// turns with every other check of the test run (see busy).
var galleryJobs = make(chan struct{}, 8*runtime.GOMAXPROCS(0))

// check builds b and checks it, -gallery.runs times, in a subtest of t
// named for its stage and mistake.
func checkBroken(t *testing.T, st *milestones.Stage, b gallery.Broken) {
	t.Run(fmt.Sprintf("stage%d/%s", st.Number, b.Name()), func(t *testing.T) {
		dir, bin, err := buildBroken(st, b)
		var be *harness.BuildError
		switch {
		case errors.As(err, &be):
			assessBuild(t, st, b, be)
			return
		case err != nil:
			t.Fatal(err)
		case b.CompileError() != "":
			t.Fatalf("the broken program compiles, but it should fail with %q", b.CompileError())
		}
		prog := milestones.Program{Bin: bin, Run: "go run ./" + st.Dir, Dir: dir, Busy: busy}
		if *galleryRuns <= 1 {
			runBroken(t, st, b, prog)
			return
		}
		var wg sync.WaitGroup
		for i := range *galleryRuns {
			wg.Go(func() {
				t.Run(fmt.Sprintf("run%02d", i+1), func(t *testing.T) { runBroken(t, st, b, prog) })
			})
		}
		wg.Wait()
	})
}

// runOnce checks prog, the built b, once, as the check command would, and
// assesses the results. The challenges run at once, not one after the
// other as in the check command: each starts a program of its own, so
// their results do not depend on their order, and most of them wait.
func runBroken(t *testing.T, st *milestones.Stage, b gallery.Broken, prog milestones.Program) {
	galleryJobs <- struct{}{}
	defer func() { <-galleryJobs }()
	results := milestones.RunChecks(context.Background(), st, prog, milestones.Options{})
	if passed(results) {
		var wg sync.WaitGroup
		for i, c := range st.Checks {
			if c.Kind == milestones.Challenge && selects(b, c) {
				wg.Go(func() { results[i] = milestones.Run(context.Background(), c, prog) })
			}
		}
		wg.Wait()
	}
	if os.Getenv("GALLERY_PRINT") != "" {
		// For writing a new mistake's expectations: what fails, and how.
		for _, res := range results {
			if res.Status == milestones.Failed {
				t.Logf("%q: summary %q, hint %q", res.Check.ID, res.Failure.Summary, res.Failure.Hint)
			}
		}
	}
	assess(t, b, st, results)
}

// passed reports whether none of results failed.
func passed(results []milestones.Result) bool {
	for _, res := range results {
		if res.Status == milestones.Failed {
			return false
		}
	}
	return true
}

// selects reports whether the challenge c runs against b: with
// -gallery.full every challenge does, and otherwise only those b must fail.
func selects(b gallery.Broken, c *milestones.Check) bool {
	_, must := b.Fails()[c.ID]
	return *galleryFull || must
}

// buildBroken prepares b's program (see gallery.Broken.Program) and builds it, once per
// test run however many times it is checked. It returns the program's
// directory and binary.
func buildBroken(st *milestones.Stage, b gallery.Broken) (dir, bin string, err error) {
	key := fmt.Sprintf("stage%d/%s", st.Number, b.Name())
	dir, err = prepared.get(key, func() (string, error) {
		return b.Program(root, st, filepath.Join(binDir, "gallery", key))
	})
	if err != nil {
		return "", "", err
	}
	bin, err = buildOnce(dir)
	return dir, bin, err
}

// assessBuild holds a compile failure to b's compileError.
func assessBuild(t *testing.T, st *milestones.Stage, b gallery.Broken, be *harness.BuildError) {
	t.Helper()
	var out strings.Builder
	report.BuildError(&out, &milestones.StageResult{Stage: st, Dir: be.Dir, BuildErr: be}, st.Dir, report.Style{})
	switch {
	case b.CompileError() == "":
		t.Fatalf("the broken program does not compile:\n%s", out.String())
	case !strings.Contains(out.String(), b.CompileError()):
		t.Errorf("the compile error is reported without %q:\n%s", b.CompileError(), out.String())
	}
}

// prepared holds the directories of the broken programs made by editing a
// copy, by name.
var prepared memo[string]

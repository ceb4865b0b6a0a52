package tests

import (
	"bytes"
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"workbook/tests/harness"
	"workbook/tests/milestones"
)

// TestSkeletonStopsAtStep1 runs each shipped skeleton as a learner first
// would: it must print exactly the [TODO] line for Step 1 to stderr, nothing
// to stdout, and exit with status 3; and Milestone 1 must fail naming Step 1.
func TestSkeletonStopsAtStep1(t *testing.T) {
	t.Parallel()
	for _, st := range milestones.Stages() {
		t.Run(st.Dir, func(t *testing.T) {
			t.Parallel()
			bin, err := buildOnce(shippedStage(t, st))
			if err != nil {
				t.Fatal(err)
			}
			p, err := harness.Start(bin, harness.Options{Args: []string{"-port", "0"}})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Stop()
			exit, err := p.WaitExit(harness.Scaled(10 * time.Second))
			if err != nil {
				t.Fatalf("the skeleton did not exit: %v", err)
			}
			if exit.Code != 3 {
				t.Errorf("the skeleton ended with %v, want exit status 3", exit)
			}
			want := []string{"[TODO] step 1 is not done yet: see README.md, Step 1"}
			if got := p.Output(harness.Stderr); !slices.Equal(got, want) {
				t.Errorf("stderr = %q, want %q", got, want)
			}
			if got := p.Output(harness.Stdout); len(got) > 0 {
				t.Errorf("stdout = %q, want nothing", got)
			}

			res := milestones.Run(context.Background(), st.Milestones()[0], milestones.Program{Bin: bin, Run: "go run ./" + st.Dir})
			if res.Status != milestones.Failed {
				t.Fatalf("Milestone 1 passed on the untouched skeleton")
			}
			if f := res.Failure; f.Step != 1 || !strings.Contains(f.Summary, want[0]) {
				t.Errorf("Milestone 1 failed with step %d and %q; want Step 1 and the [TODO] line", f.Step, f.Summary)
			}
		})
	}
}

var (
	todoMarker = regexp.MustCompile(`// TODO\(step (\d+)\)`)
	stepHead   = regexp.MustCompile(`(?m)^## Step (\d+): (.+)$`)
)

// TestSkeletonMatchesSolution keeps each skeleton and its solution in step:
// the same files, every file without a TODO marker byte-for-byte the same,
// a TODO marker for every Step and no other, and a README heading for every
// Step with the title the checks use.
func TestSkeletonMatchesSolution(t *testing.T) {
	for _, st := range milestones.Stages() {
		t.Run(st.Dir, func(t *testing.T) {
			skel := shippedStage(t, st)
			sol := filepath.Join(root, "solutions", st.Dir)
			skelFiles, solFiles := goFiles(t, skel), goFiles(t, sol)
			if !slices.Equal(skelFiles, solFiles) {
				t.Fatalf("the skeleton has %q and the solution %q: they must match file for file", skelFiles, solFiles)
			}
			steps := map[int]bool{}
			for _, name := range skelFiles {
				a := read(t, filepath.Join(skel, name))
				b := read(t, filepath.Join(sol, name))
				markers := todoMarker.FindAllStringSubmatch(string(a), -1)
				for _, m := range markers {
					n, _ := strconv.Atoi(m[1])
					steps[n] = true
				}
				if len(markers) == 0 && !bytes.Equal(a, b) {
					t.Errorf("%s is given complete in the skeleton (it has no TODO marker) but differs from the solution's", name)
				}
				if todoMarker.Match(b) {
					t.Errorf("the solution's %s still has a TODO marker", name)
				}
			}
			for n := 1; n <= len(st.Steps); n++ {
				if !steps[n] {
					t.Errorf("no TODO(step %d) marker in the skeleton, but the README has Step %d", n, n)
				}
				delete(steps, n)
			}
			for n := range steps {
				t.Errorf("a TODO(step %d) marker, but the stage has only %d Steps", n, len(st.Steps))
			}

			readme := string(read(t, filepath.Join(skel, "README.md")))
			var heads []string
			for _, m := range stepHead.FindAllStringSubmatch(readme, -1) {
				heads = append(heads, fmt.Sprintf("Step %s: %s", m[1], m[2]))
			}
			var want []string
			for i, title := range st.Steps {
				want = append(want, fmt.Sprintf("Step %d: %s", i+1, title))
			}
			if !slices.Equal(heads, want) {
				t.Errorf("README.md Step headings are %q; the checks name %q", heads, want)
			}
		})
	}
}

func goFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	if len(names) == 0 {
		t.Fatalf("no .go files in %s", dir)
	}
	return names
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sharedHelpers are the given files that more than one stage ships: each
// must be the same file wherever it appears, so a fix reaches every copy.
var sharedHelpers = []string{
	"lines.go", "lines_test.go",
	"reverse.go", "reverse_test.go",
	"printable.go", "printable_test.go",
	"unsupported.go",
}

// TestSharedHelpersIdentical keeps the given helpers identical across the
// stages. (Within a stage, TestSkeletonMatchesSolution already keeps the
// skeleton's copy and the solution's the same.)
func TestSharedHelpersIdentical(t *testing.T) {
	for _, name := range sharedHelpers {
		var first string
		var want []byte
		for _, st := range milestones.Stages() {
			path := filepath.Join(root, "solutions", st.Dir, name)
			b, err := os.ReadFile(path)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if want == nil {
				first, want = path, b
				continue
			}
			if !bytes.Equal(b, want) {
				t.Errorf("%s differs from %s: the stages share it, so change every copy alike", path, first)
			}
		}
		if want == nil {
			t.Errorf("no stage has %s", name)
		}
	}
}

// TestStagesDoNotImportNet holds the stage programs, skeletons and
// solutions alike, to the workbook's premise, as the root README.md puts
// it: every system call is the learner's own, through golang.org/x/sys/unix,
// so package net is never imported. (The tests and tools may use it, and so
// does the goroutine-per-client server that exists to compare with it.)
func TestStagesDoNotImportNet(t *testing.T) {
	for _, st := range milestones.Stages() {
		t.Run(st.Dir, func(t *testing.T) {
			expectNoNet(t, filepath.Join(root, "solutions", st.Dir))
			expectNoNet(t, shippedStage(t, st))
		})
	}
}

// expectNoNet fails t if a Go file in dir imports package net.
func expectNoNet(t *testing.T, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, path := range files {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "net" {
				t.Errorf("%s imports %q: stage programs make their system calls through golang.org/x/sys/unix", path, p)
			}
		}
	}
}

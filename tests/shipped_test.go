package tests

import (
	"os"
	"path/filepath"
	"testing"

	"workbook/tests/harness"
	"workbook/tests/milestones"
	"workbook/tests/shipped"
)

// The tests about the skeletons (they stop at Step 1, they match their
// solutions, the lessons' code fits them, the check command's view of a
// fresh clone) are about the skeletons as shipped, not about what a learner
// has made of them since. On a learner's clone the stage directories hold
// the learner's work, so these tests take the shipped skeletons from git.

// shippedStage returns the directory (an absolute path) holding st's
// skeleton as shipped, with its module files and README, ready to read and
// to build (see shipped.Find). Without git, or with no skeleton in its
// history, it skips the test, saying why. Do not modify what it
// returns: copy it first (copyPackage, or copyStage).
func shippedStage(t *testing.T, st *milestones.Stage) string {
	t.Helper()
	s, err := shippedDirs.get(st.Dir, func() (shipped.Dir, error) { return findShipped(st) })
	if err != nil {
		t.Fatalf("looking for the shipped %s: %v", st.Dir, err)
	}
	if s.Skip != "" {
		t.Skip(s.Skip)
	}
	if s.From != "" {
		t.Logf("%s differs from the shipped skeleton (it holds your work, or changes not committed yet): testing the skeleton from commit %s", st.Dir, s.From)
	}
	dir, err := filepath.Abs(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// shippedTree returns a directory laid out like a fresh clone for the check
// command: go.work, tests/cmd/check (how the command finds the workbook's
// root) and every stage's shipped skeleton (see shippedStage). It is the
// repository root itself when every stage directory is as shipped.
func shippedTree(t *testing.T) string {
	t.Helper()
	dirs := map[string]string{}
	copied := false
	for _, st := range milestones.Stages() {
		dir := shippedStage(t, st)
		dirs[st.Dir] = dir
		inPlace, err := filepath.Abs(filepath.Join(root, st.Dir))
		if err != nil {
			t.Fatal(err)
		}
		copied = copied || dir != inPlace
	}
	if !copied {
		return root
	}
	tree, err := shippedTrees.get("", func() (string, error) {
		tree := filepath.Join(binDir, "shipped-tree")
		for name, dir := range dirs {
			if err := copyPackage(dir, filepath.Join(tree, name)); err != nil {
				return "", err
			}
		}
		if err := os.MkdirAll(filepath.Join(tree, "tests", "cmd", "check"), 0o755); err != nil {
			return "", err
		}
		work, err := os.ReadFile(filepath.Join(root, "go.work"))
		if err != nil {
			return "", err
		}
		return tree, os.WriteFile(filepath.Join(tree, "go.work"), work, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

var (
	shippedDirs  memo[shipped.Dir]
	shippedTrees memo[string]
)

// findShipped looks for st's shipped skeleton (see shipped.Find), keeping
// the copies it takes from git with the test run's builds.
func findShipped(st *milestones.Stage) (shipped.Dir, error) {
	return shipped.Find(root, st, filepath.Join(binDir, "shipped"))
}

// copyPackage copies the files of the package in src to dst, with its
// module's go.mod and go.sum, so that dst builds on its own.
func copyPackage(src, dst string) error { return harness.CopyPackage(src, dst, nil) }

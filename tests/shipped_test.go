package tests

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"workbook/tests/milestones"
)

// The tests about the skeletons (they stop at Step 1, they match their
// solutions, the lessons' code fits them, the check command's view of a
// fresh clone) are about the skeletons as shipped, not about what a learner
// has made of them since. On a learner's clone the stage directories hold
// the learner's work, so these tests take the shipped skeletons from git.

// shippedStage returns the directory (an absolute path) holding st's
// skeleton as shipped, with its module files and README, ready to read and
// to build. That is the stage directory itself while it is what git has
// at HEAD, and a skeleton; otherwise a copy taken from git: at HEAD, at
// the upstream branch, or at the latest commit before that whose stage
// directory is still a skeleton (see isSkeleton), since a learner may
// have committed work of their own. Without git, or with no skeleton in
// its history, it skips the test, saying why. Do not modify what it
// returns: copy it first (copyPackage, or copyStage).
func shippedStage(t *testing.T, st *milestones.Stage) string {
	t.Helper()
	s, err := shipped.get(st.Dir, func() (shippedDir, error) { return findShipped(st) })
	if err != nil {
		t.Fatalf("looking for the shipped %s: %v", st.Dir, err)
	}
	if s.skip != "" {
		t.Skip(s.skip)
	}
	if s.from != "" {
		t.Logf("%s differs from the shipped skeleton (it holds your work, or changes not committed yet): testing the skeleton from commit %s", st.Dir, s.from)
	}
	return s.dir
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

// A shippedDir is where a stage's shipped skeleton was found: dir, taken
// from commit from when that is not empty; or skip, why it was not found.
type shippedDir struct{ dir, from, skip string }

var (
	shipped      memo[shippedDir]
	shippedTrees memo[string]
)

// findShipped looks for st's shipped skeleton; see shippedStage.
func findShipped(st *milestones.Stage) (shippedDir, error) {
	if _, err := git("rev-parse", "--git-dir"); err != nil {
		return shippedDir{skip: fmt.Sprintf("this test is about %s as shipped: this is not a git checkout, or git is not installed, "+
			"so the skeleton as shipped cannot be told from your work (%v)", st.Dir, err)}, nil
	}
	// The stage directory as it is, when git has it so at HEAD.
	if status, err := git("status", "--porcelain", "--", st.Dir); err == nil && status == "" {
		if files, err := archive("HEAD", st.Dir); err == nil && isSkeleton(st, files) {
			dir, err := filepath.Abs(filepath.Join(root, st.Dir))
			return shippedDir{dir: dir}, err
		}
	}
	for _, commit := range candidates(st.Dir) {
		files, err := archive(commit, st.Dir)
		if err != nil || !isSkeleton(st, files) {
			continue
		}
		dir := filepath.Join(binDir, "shipped", commit, st.Dir)
		if err := writeFiles(dir, files); err != nil {
			return shippedDir{}, err
		}
		return shippedDir{dir: dir, from: commit}, nil
	}
	return shippedDir{skip: fmt.Sprintf("no commit in this clone's history has %s as a skeleton "+
		"(its TODO(step N) markers and the todo(1) call), so there is nothing shipped to test", st.Dir)}, nil
}

// candidates returns the commits to look for dir's skeleton in, most
// likely first: HEAD, the branch's upstream and origin's default branch,
// then the commits that changed dir, newest first.
func candidates(dir string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(ref string) {
		if id, err := git("rev-parse", "--verify", "--quiet", ref+"^{commit}"); err == nil && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, ref := range []string{"HEAD", "@{upstream}", "origin/HEAD"} {
		add(ref)
	}
	if log, err := git("rev-list", "--max-count=200", "HEAD", "--", dir); err == nil {
		for _, id := range strings.Fields(log) {
			add(id)
			add(id + "^") // the commit before a learner's change
		}
	}
	return out
}

var (
	todoCall1 = regexp.MustCompile(`\btodo\(1\)`)
)

// isSkeleton reports whether files (a stage directory's, by name) are a
// skeleton of st: a TODO(step N) marker for every Step, and the todo(1)
// call where a skeleton stops at Step 1. A learner's work has replaced
// that call at least.
func isSkeleton(st *milestones.Stage, files map[string][]byte) bool {
	steps := map[string]bool{}
	stops := false
	for name, b := range files {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		for _, m := range todoMarker.FindAllSubmatch(b, -1) {
			steps[string(m[1])] = true
		}
		stops = stops || todoCall1.Match(b)
	}
	for n := 1; n <= len(st.Steps); n++ {
		if !steps[fmt.Sprint(n)] {
			return false
		}
	}
	return stops && files["README.md"] != nil && files["go.mod"] != nil
}

// archive returns the files of dir (relative to the repository root) at
// commit, by name.
func archive(commit, dir string) (map[string][]byte, error) {
	cmd := exec.Command("git", "archive", "--format=tar", commit, "--", dir)
	cmd.Dir = root
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("git archive %s %s: %v: %s", commit, dir, err, errOut.String())
	}
	files := map[string][]byte{}
	tr := tar.NewReader(&out)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		rel, ok := strings.CutPrefix(h.Name, dir+"/")
		if !ok || h.Typeflag != tar.TypeReg || strings.Contains(rel, "/") {
			continue // the directory itself, or something below it
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		files[rel] = b
	}
}

// writeFiles writes files, by name, into dir.
func writeFiles(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// git runs git in the repository with args and returns its output,
// trimmed.
func git(args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = root
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		err = fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(exit.Stderr))
	}
	return strings.TrimSpace(string(out)), err
}

// copyPackage copies the files of the package in src to dst, with its
// module's go.mod and go.sum (found further up for a package that is not
// its module's root, such as a solution), so that dst builds on its own.
func copyPackage(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if files[e.Name()], err = os.ReadFile(filepath.Join(src, e.Name())); err != nil {
				return err
			}
		}
	}
	for mod := src; files["go.mod"] == nil; {
		parent := filepath.Dir(mod)
		if parent == mod {
			return fmt.Errorf("no go.mod in or above %s", src)
		}
		mod = parent
		for _, name := range []string{"go.mod", "go.sum"} {
			if b, err := os.ReadFile(filepath.Join(mod, name)); err == nil {
				files[name] = b
			}
		}
	}
	return writeFiles(dst, files)
}

// Package shipped finds a stage's skeleton as it was shipped. On a learner's
// clone the stage directories hold the learner's work, so whatever is about
// the skeletons themselves (the lessons' examples of a skeleton, or of a
// skeleton with some Steps done) takes them from git instead.
package shipped

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

	"workbook/tests/milestones"
)

// A Dir is where a stage's shipped skeleton was found.
type Dir struct {
	Path string // the skeleton's directory, with its go.mod and README.md
	From string // the commit it was taken from, when it is a copy
	// Skip says why there is no shipped skeleton to be had (no git, or no
	// skeleton in the clone's history); Path is then empty.
	Skip string
}

// Find returns st's skeleton as shipped, from the workbook at root. That is
// the stage directory itself while it is what git has at HEAD, and a
// skeleton; otherwise a copy, written under cache, taken from git: at HEAD,
// at the branch's upstream, at origin's default branch, or at the latest
// commit that changed the stage directory (or the one before it) whose
// stage directory is still a skeleton (see isSkeleton), since a learner may
// have committed work of their own.
func Find(root string, st *milestones.Stage, cache string) (Dir, error) {
	g := gitIn(root)
	if _, err := g("rev-parse", "--git-dir"); err != nil {
		return Dir{Skip: fmt.Sprintf("the shipped %s cannot be told from your work without git (%v)", st.Dir, err)}, nil
	}
	if status, err := g("status", "--porcelain", "--", st.Dir); err == nil && status == "" {
		if files, err := archive(root, "HEAD", st.Dir); err == nil && isSkeleton(st, files) {
			return Dir{Path: filepath.Join(root, st.Dir)}, nil
		}
	}
	for _, commit := range candidates(g, st.Dir) {
		files, err := archive(root, commit, st.Dir)
		if err != nil || !isSkeleton(st, files) {
			continue
		}
		dir := filepath.Join(cache, commit, st.Dir)
		if err := writeFiles(dir, files); err != nil {
			return Dir{}, err
		}
		return Dir{Path: dir, From: commit}, nil
	}
	return Dir{Skip: fmt.Sprintf("no commit in this clone's history has %s as a skeleton (its TODO(step N) markers and the todo(1) call)", st.Dir)}, nil
}

// candidates returns the commits to look for dir's skeleton in, most
// likely first.
func candidates(g func(...string) (string, error), dir string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(ref string) {
		if id, err := g("rev-parse", "--verify", "--quiet", ref+"^{commit}"); err == nil && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, ref := range []string{"HEAD", "@{upstream}", "origin/HEAD"} {
		add(ref)
	}
	if log, err := g("rev-list", "--max-count=200", "HEAD", "--", dir); err == nil {
		for _, id := range strings.Fields(log) {
			add(id)
			add(id + "^") // the commit before a learner's change
		}
	}
	return out
}

var (
	todoMarker = regexp.MustCompile(`// TODO\(step (\d+)\)`)
	todoCall1  = regexp.MustCompile(`\btodo\(1\)`)
)

// isSkeleton reports whether files (a stage directory's, by name) are a
// skeleton of st: a TODO(step N) marker for every Step, and the todo(1)
// call where a skeleton stops at Step 1, which a learner's work replaces
// first.
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

// archive returns the files of dir (relative to root) at commit, by name.
func archive(root, commit, dir string) (map[string][]byte, error) {
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

// gitIn returns a function that runs git in dir and returns its output,
// trimmed.
func gitIn(dir string) func(args ...string) (string, error) {
	return func(args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			err = fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(exit.Stderr))
		}
		return strings.TrimSpace(string(out)), err
	}
}

// Package gallery holds the gallery of broken programs: for each stage, a
// table of realistic learner mistakes, each with exactly which checks must
// catch it and how. TestGallery (in package tests) holds the checks to it,
// and the lessons tool (tests/lessons) builds its programs to show a
// mistake's real output in a lesson.
package gallery

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"workbook/tests/harness"
	"workbook/tests/milestones"
)

// A Broken program is one realistic learner mistake, and exactly which
// checks must catch it and how. Each stage's are in a plain table of its
// own, stageNGallery in stageN.go, one entry per mistake.
//
// Each one is checked as "go run ./tests/cmd/check -challenges -dir"
// checks a learner's program: milestones in order up to the first that
// fails, and then, only if they all passed, the challenges. TestGallery
// runs by default only the challenges it must fail; with -gallery.full,
// every challenge, and all the others must pass.
//
// Most are the reference solution with a small edit, applied to a copy at
// test time: that keeps each mistake down to the lines that make it, and an
// edit that no longer applies (because the solution changed) fails loudly
// instead of testing something else. A broken program that is a different
// program altogether names its directory instead.
type Broken struct {
	name string // what the learner did, as a slug
	// dir is the program to start from, relative to the repository root:
	// the stage's reference solution when empty.
	dir   string
	edits []edit // applied to a copy of dir
	// fails maps the ID of every check that must fail to a piece of text
	// its failure must show: the real cause, or the hint that names it.
	// (Lines are compared without their indentation, so the piece may span
	// the end of the hint and the "revisit:" line after it.)
	// That is one milestone, or the challenges that fail once every
	// milestone passes. Every other check that runs must pass, except
	// those in mayFail.
	fails map[string]string
	// mayFail lists checks that catch the mistake only when timing exposes
	// it, such as a client connecting in the moment between a listening
	// line printed too early and the listen(2) after it. They may pass or
	// fail; when they fail, they must still name the cause.
	mayFail map[string]string
	// compileError, for a program that does not compile, is a piece of
	// text the report of its compile error must show; no check runs.
	compileError string
}

// An edit replaces old, which must occur exactly once in file, with new.
type edit struct{ file, old, new string }

// galleries holds each stage's broken programs, by stage number.
var galleries = map[int][]Broken{
	1: stage1Gallery,
	2: stage2Gallery,
	3: stage3Gallery,
	4: stage4Gallery,
}

// Of returns stage n's broken programs, in the order of its table.
func Of(n int) []Broken { return galleries[n] }

// Find returns stage n's broken program called name.
func Find(n int, name string) (Broken, bool) {
	i := slices.IndexFunc(galleries[n], func(b Broken) bool { return b.name == name })
	if i < 0 {
		return Broken{}, false
	}
	return galleries[n][i], true
}

// Name returns what the learner did, as a slug: the name of its subtest.
func (b Broken) Name() string { return b.name }

// Fails maps the ID of every check that must fail to a piece of text its
// failure must show.
func (b Broken) Fails() map[string]string { return b.fails }

// MayFail maps the ID of every check that may fail, by timing, to a piece
// of text its failure must show when it does.
func (b Broken) MayFail() map[string]string { return b.mayFail }

// CompileError is, for a program that must not compile, a piece of text
// the report of its compile error must show; "" for one that compiles.
func (b Broken) CompileError() string { return b.compileError }

// Program returns the directory of the broken program of stage st, ready to
// build: the program it starts from, under the repository root, when it has
// no edits; otherwise a copy of it in dst (which it creates) with the edits
// applied.
func (b Broken) Program(root string, st *milestones.Stage, dst string) (string, error) {
	from := b.dir
	if from == "" {
		from = "solutions/" + st.Dir
	}
	if len(b.edits) == 0 {
		return filepath.Join(root, from), nil
	}
	if err := harness.CopyPackage(filepath.Join(root, from), dst, nil); err != nil {
		return "", err
	}
	for _, e := range b.edits {
		path := filepath.Join(dst, e.file)
		src, err := os.ReadFile(path)
		if err != nil {
			return "", err
		}
		if n := strings.Count(string(src), e.old); n != 1 {
			return "", fmt.Errorf("the edit to %s expects its text once in the solution, found it %d times: has the solution changed?\n%s", e.file, n, e.old)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(src), e.old, e.new, 1)), 0o644); err != nil {
			return "", err
		}
	}
	return dst, nil
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

//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"workbook/tests/harness"
	"workbook/tests/milestones"
	"workbook/tests/report"
)

// A checker runs the checks that a config selects and reports them.
type checker struct {
	cfg    config
	root   string // the repository root; empty outside it (with -dir)
	binDir string // where programs are built
	out    io.Writer
	style  report.Style
	status *report.Status // what is under way, on stderr
}

// dirOf returns the directory to check for st.
func (c *checker) dirOf(st *milestones.Stage) string {
	switch {
	case c.cfg.dir != "":
		return c.cfg.dir
	case c.cfg.solutions:
		return filepath.Join(c.root, "solutions", st.Dir)
	}
	return filepath.Join(c.root, st.Dir)
}

// runCommand returns how a learner runs dir by hand from where they are:
// go run ./dir for a directory below, and for one elsewhere, such as a
// module of the learner's own, go -C dir run ., which runs go in that
// directory (go run /abs/path from inside the workbook fails: the module
// there is not one of the workspace's). Arguments may follow either.
func runCommand(dir string) string {
	if rel, ok := below(dir); ok {
		return "go run ./" + filepath.ToSlash(rel)
	}
	abs, _ := filepath.Abs(dir)
	return "go -C " + shellWord(abs) + " run ."
}

// shellWord returns s as one word for a POSIX shell: as it is when that is
// safe, and in single quotes otherwise.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// below returns dir relative to the current directory, if it is inside it.
func below(dir string) (string, bool) {
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return rel, true
}

// rerun returns the check command with the flags that choose what is
// checked, for suggesting what to run next.
func (c *checker) rerun() string {
	cmd := "go run ./tests/cmd/check"
	switch {
	case c.cfg.solutions:
		cmd += " -solutions"
	case c.cfg.dir != "":
		cmd += " -dir " + c.cfg.dir
	}
	return cmd
}

// run checks every selected stage once and reports whether all passed.
func (c *checker) run(ctx context.Context) bool {
	var results []*milestones.StageResult
	said := &report.Said{}
	failedBefore := false
	for i, st := range c.cfg.stages {
		if i > 0 {
			fmt.Fprintln(c.out)
		}
		dir := c.dirOf(st)
		shown := report.ShowDir(c.root, dir)
		report.Heading(c.out, st, shown, c.style)
		p := &report.Printer{
			W:       c.out,
			Style:   c.style,
			Details: report.Details{Stage: st, Dir: shown, Run: runCommand(dir), Full: c.cfg.verbose, Said: said},
			Brief:   failedBefore && !c.cfg.verbose,
		}
		// -run leaves checks out: the stage is run with the others only.
		kept, left := selectChecks(st, c.cfg.run)
		selected := *st
		selected.Checks = kept
		sr, err := milestones.RunStage(ctx, &selected, dir, p.Details.Run, milestones.Options{
			Challenges: c.cfg.challenges || c.cfg.run != nil,
			BinDir:     c.binDir,
			Progress:   p.Progress,
			Build:      c.builder(st),
		})
		if ctx.Err() != nil {
			return false // stopped by a signal: main says so
		}
		if err != nil {
			fmt.Fprintf(c.out, "check: %v\n", err)
			return false
		}
		p.Rest(&sr)
		report.LeftOut(c.out, left, c.cfg.pattern, c.style)
		results = append(results, &sr)
		failedBefore = failedBefore || !sr.Passed()
	}
	fmt.Fprintln(c.out)
	if len(results) > 1 {
		report.Overview(c.out, results, c.style)
		fmt.Fprintln(c.out)
	}
	report.Next(c.out, results, report.Ending{
		Root: c.root, Rerun: c.rerun(), Challenges: c.cfg.challenges, Pattern: c.cfg.pattern,
	}, c.style)
	return !failedBefore
}

// builder returns how to build stage st: with "go build", saying on stderr
// what is under way, the modules the go command fetches among it.
func (c *checker) builder(st *milestones.Stage) func(ctx context.Context, dir, outDir string) (string, error) {
	return func(ctx context.Context, dir, outDir string) (string, error) {
		c.status.Show("building stage %d", st.Number)
		defer c.status.Clear()
		return harness.Builder{OutDir: outDir, Progress: c.status.Note}.Build(ctx, dir)
	}
}

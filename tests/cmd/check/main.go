//go:build linux

// Command check tells a learner where they stand in the workbook: it builds
// each stage's program, runs its milestones (and, with -challenges, its
// challenges) and says what to do next.
//
// Usage:
//
//	go run ./tests/cmd/check [flags] [stage] [flags]
//
// With no stage it checks every stage in order. See the README for the flags.
//
// Exit status: 0 when everything checked passed, 1 when something failed,
// 2 for bad usage, and 130 when a signal stopped it (Ctrl-C, SIGTERM,
// SIGHUP, or the end of the process that started it). "go run" reports
// every status but 0 as 1; build the command to see the real one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"workbook/tests/cmd/internal/workbook"
	"workbook/tests/milestones"
	"workbook/tests/report"
)

// config is what the command line asks for.
type config struct {
	stages     []*milestones.Stage
	solutions  bool
	dir        string
	challenges bool
	watch      bool
	verbose    bool
	pattern    string         // -run, as given
	run        *regexp.Regexp // -run, compiled; nil runs every check
}

func main() {
	cfg, err := parseArgs(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0) // -h: the usage was asked for, and printed
	}
	if err != nil {
		os.Exit(2)
	}
	root, err := workbook.Root("check")
	if err != nil && cfg.dir == "" {
		fmt.Fprintf(os.Stderr, "check: %v\n", err)
		os.Exit(2)
	}
	ctx, cancel, release := stopContext()
	code := check(ctx, cfg, root, newOutput(os.Stdout, cancel), newOutput(os.Stderr, cancel))
	release()
	os.Exit(code)
}

// check runs the checks cfg asks for, from the workbook at root, and
// returns the exit status: 0 when everything checked passes, 1 when
// something fails, and 130 when ctx was cancelled. Whatever happens, it
// removes its temporary files before it returns.
func check(ctx context.Context, cfg config, root string, stdout, stderr output) int {
	// Everything temporary goes in here: the built programs, and what an
	// interrupted "go build" leaves behind.
	tmp, err := os.MkdirTemp("", "workbook-check-")
	if err != nil {
		fmt.Fprintf(stderr, "check: %v\n", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	c := &checker{
		cfg:    cfg,
		root:   root,
		binDir: tmp,
		out:    stdout,
		style:  report.ForTerminal(stdout.File),
		status: report.NewStatus(stderr, report.ForTerminal(stderr.File)),
	}
	var passed bool
	if cfg.watch {
		passed = c.watch(ctx)
	} else {
		passed = c.run(ctx)
	}
	switch {
	case ctx.Err() != nil:
		c.status.Clear()
		fmt.Fprintln(stderr, "\ncheck: stopped")
		return 130 // what a shell reports for a command that Ctrl-C ended
	case !passed:
		return 1
	}
	return 0
}

func parseArgs(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&cfg.solutions, "solutions", false, "check the reference solutions instead of the stage directories")
	fs.StringVar(&cfg.dir, "dir", "", "check the main package in `path` instead (needs a stage)")
	fs.BoolVar(&cfg.challenges, "challenges", false, "run the challenges too")
	fs.StringVar(&cfg.pattern, "run", "", "run only the checks whose ID or name matches the regular expression `pattern`")
	fs.BoolVar(&cfg.watch, "watch", false, "run again whenever a .go file of what is checked changes")
	fs.BoolVar(&cfg.verbose, "v", false, "print every check's full transcript, passing ones too")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./tests/cmd/check [flags] [stage]\n\n"+
			"Checks your work on the workbook. stage is 1 to %d; without it,\nevery stage is checked in order. "+
			"Flags may come before or after it.\n\nFlags:\n", len(milestones.Stages()))
		fs.PrintDefaults()
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return cfg, err
	}
	if problem := cfg.choose(positional); problem != "" {
		fmt.Fprintf(fs.Output(), "check: %s\n\n", problem)
		fs.Usage()
		return cfg, errors.New("usage")
	}
	return cfg, nil
}

// choose fills in the stages and checks that the flags and the positional
// arguments choose, or says what is wrong with them.
func (cfg *config) choose(positional []string) string {
	stages := milestones.Stages()
	switch len(positional) {
	case 0:
		cfg.stages = stages
	case 1:
		n, err := strconv.Atoi(positional[0])
		st := milestones.StageByNumber(n)
		if err != nil || st == nil {
			return fmt.Sprintf("no stage %q: want one of 1 to %d", positional[0], len(stages))
		}
		cfg.stages = []*milestones.Stage{st}
	default:
		return fmt.Sprintf("one stage at most, got %q", positional)
	}
	switch {
	case cfg.dir != "" && len(positional) == 0:
		return fmt.Sprintf("-dir needs a stage, for example: -dir %s 1", cfg.dir)
	case cfg.dir != "" && cfg.solutions:
		return "-dir and -solutions cannot be used together"
	case cfg.dir != "" && !isDir(cfg.dir):
		return fmt.Sprintf("-dir %s: there is no such folder", cfg.dir)
	case cfg.pattern == "":
		return ""
	}
	var err error
	if cfg.run, err = regexp.Compile(cfg.pattern); err != nil {
		return fmt.Sprintf("-run %q is not a regular expression: %v", cfg.pattern, err)
	}
	matching := withMatches(cfg.stages, cfg.run)
	if len(matching) == 0 {
		var ids []string
		for _, st := range cfg.stages {
			ids = append(ids, fmt.Sprintf("stage %d: %s", st.Number, report.IDs(st.Checks)))
		}
		return fmt.Sprintf("-run %q matches no check. The checks' IDs are:\n  %s", cfg.pattern, strings.Join(ids, "\n  "))
	}
	cfg.stages = matching
	return ""
}

// parseInterspersed parses args with fs, letting flags come after the
// positional arguments too (as in "check 1 -challenges"), and returns the
// positional arguments. Everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// withMatches returns the stages that have a check that run matches.
func withMatches(stages []*milestones.Stage, run *regexp.Regexp) []*milestones.Stage {
	var out []*milestones.Stage
	for _, st := range stages {
		if kept, _ := selectChecks(st, run); len(kept) > 0 {
			out = append(out, st)
		}
	}
	return out
}

// selectChecks splits a stage's checks into those that run matches, by ID
// or by name, and the others. A nil run matches every check.
func selectChecks(st *milestones.Stage, run *regexp.Regexp) (kept, left []*milestones.Check) {
	for _, c := range st.Checks {
		if run == nil || run.MatchString(c.ID) || run.MatchString(c.Name()) {
			kept = append(kept, c)
		} else {
			left = append(left, c)
		}
	}
	return kept, left
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

//go:build linux

// Command check tells a learner where they stand in the workbook: it builds
// each stage's program, runs its milestones (and, with -challenges, its
// challenges) and says what to do next.
//
// Usage:
//
//	go run ./tests/cmd/check [flags] [stage]
//
// With no stage it checks every stage in order. See the README for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"

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
}

func main() {
	cfg, err := parseArgs(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0) // -h: the usage was asked for, and printed
	}
	if err != nil {
		os.Exit(2)
	}
	root, err := findRoot()
	if err != nil && cfg.dir == "" {
		fmt.Fprintf(os.Stderr, "check: %v\n", err)
		os.Exit(2)
	}
	// Ctrl-C (SIGINT), kill (SIGTERM) and a closed terminal (SIGHUP) cancel
	// ctx: the build or the check under way is stopped, and nothing more
	// starts. A second signal ends the command at once, the default way.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	context.AfterFunc(ctx, stop)
	os.Exit(check(ctx, cfg, root))
}

// check runs the checks cfg asks for, from the workbook at root, and
// returns the exit status: 0 when everything checked passes, 1 when
// something fails, and 130 when a signal stopped it.
func check(ctx context.Context, cfg config, root string) int {
	binDir, err := os.MkdirTemp("", "workbook-check-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "check: %v\n", err)
		return 1
	}
	defer os.RemoveAll(binDir)

	c := &checker{cfg: cfg, root: root, binDir: binDir, out: os.Stdout, style: report.ForTerminal(os.Stdout)}
	var passed bool
	if cfg.watch {
		passed = c.watch(ctx)
	} else {
		passed = c.run(ctx)
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(os.Stderr, "\ncheck: stopped")
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
	fs.BoolVar(&cfg.watch, "watch", false, "run again whenever a .go file of what is checked changes")
	fs.BoolVar(&cfg.verbose, "v", false, "print every check's full transcript, passing ones too")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: go run ./tests/cmd/check [flags] [stage]\n\n"+
			"Checks your work on the workbook. stage is 1, 2 or 3; without it,\nevery stage is checked in order.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	usage := func(format string, a ...any) (config, error) {
		fmt.Fprintf(fs.Output(), "check: "+format+"\n\n", a...)
		fs.Usage()
		return cfg, errors.New("usage")
	}
	switch fs.NArg() {
	case 0:
		cfg.stages = milestones.Stages()
	case 1:
		n, err := strconv.Atoi(fs.Arg(0))
		st := milestones.StageByNumber(n)
		if err != nil || st == nil {
			return usage("no stage %q: want one of 1 to %d", fs.Arg(0), len(milestones.Stages()))
		}
		cfg.stages = []*milestones.Stage{st}
	default:
		return usage("one stage at most, got %q", fs.Args())
	}
	if cfg.dir != "" && fs.NArg() == 0 {
		return usage("-dir needs a stage, for example: -dir %s 1", cfg.dir)
	}
	if cfg.dir != "" && cfg.solutions {
		return usage("-dir and -solutions cannot be used together")
	}
	return cfg, nil
}

// findRoot returns the workbook's root directory: the current directory or
// the nearest one above it that holds go.work and the tests module.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if exists(filepath.Join(dir, "go.work")) && exists(filepath.Join(dir, "tests", "cmd", "check")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the workbook: run this from the repository (go run ./tests/cmd/check)")
		}
		dir = parent
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Command lessons holds the stage lessons to real runs. Every console block
// that a lesson marks with a recipe (<!-- example: check 1 @ step 2 -->) is
// produced from a real run of that recipe, and compared with the block:
//
//	go run ./tests/cmd/lessons                 # report every block that differs; exit 1 if any
//	go run ./tests/cmd/lessons -update         # rewrite the blocks that differ
//	go run ./tests/cmd/lessons -run 'stage1'   # only the examples whose name matches
//	go run ./tests/cmd/lessons -sizes          # each lesson's text outside folds, against its target
//
// An example's name is the lesson's path, the marker's line and the recipe:
// "stage1-server/README.md:56 check 1 @ skeleton [head 3]". The recipes,
// and how ports, times and counts are normalised before comparing, are in
// tests/README.md ("The lessons' examples").
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"workbook/tests/cmd/internal/workbook"
	"workbook/tests/lessons"
	"workbook/tests/milestones"
)

func main() {
	update := flag.Bool("update", false, "rewrite the blocks that differ from their real run")
	run := flag.String("run", "", "only the examples whose name matches this `regexp`")
	sizes := flag.Bool("sizes", false, "print each lesson's bytes outside folds against its target, and run nothing")
	verbose := flag.Bool("v", false, "name every example, the ones that match too, and show each real run")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "lessons: unexpected argument %q\n", flag.Arg(0))
		flag.Usage()
		os.Exit(2)
	}
	var filter *regexp.Regexp
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			fmt.Fprintf(os.Stderr, "lessons: -run: %v\n", err)
			os.Exit(2)
		}
		filter = re
	}
	root, err := workbook.Root("lessons")
	if err != nil {
		fmt.Fprintf(os.Stderr, "lessons: %v\n", err)
		os.Exit(2)
	}
	tmp, err := os.MkdirTemp("", "workbook-lessons-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "lessons: %v\n", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	w := &lessons.Workspace{Root: root, Tmp: tmp}
	var ok bool
	if *sizes {
		ok = printSizes(w)
	} else {
		ok = check(ctx, w, filter, *update, *verbose)
	}
	interrupted := ctx.Err() != nil
	stop()
	os.RemoveAll(tmp)
	if interrupted {
		os.Exit(130)
	}
	if !ok {
		os.Exit(1)
	}
}

// check runs the examples and reports, or rewrites, the blocks that differ.
func check(ctx context.Context, w *lessons.Workspace, filter *regexp.Regexp, update, verbose bool) bool {
	results, err := w.Examples(filter)
	if err != nil {
		fmt.Fprintf(os.Stderr, "lessons: %v\n", err)
		return false
	}
	fmt.Fprintf(os.Stderr, "running %d examples...\n", len(results))
	w.RunAll(ctx, results, lessons.Concurrency{All: 8, Heavy: 3})
	ok := true
	differ := 0
	for _, r := range results {
		switch {
		case lessons.IsSkip(r.Err):
			fmt.Printf("SKIP %s: %v\n", r.Name(), r.Err)
		case r.Err != nil:
			fmt.Printf("ERROR %s: %v\n", r.Name(), r.Err)
			ok = false
		case !r.Same():
			differ++
			if update {
				fmt.Printf("UPDATE %s\n", r.Name())
			} else {
				fmt.Printf("DIFF %s: %s\n", r.Name(), r.Diff())
				ok = false
			}
		case verbose:
			fmt.Printf("ok %s (%.1fs)\n", r.Name(), r.Elapsed.Seconds())
		}
		if verbose && r.Err == nil {
			fmt.Printf("    %s\n", strings.Join(r.Run.Lines, "\n    "))
		}
	}
	if update {
		n, err := lessons.Update(results)
		if err != nil {
			fmt.Fprintf(os.Stderr, "lessons: %v\n", err)
			return false
		}
		fmt.Printf("%d of %d blocks rewritten\n", n, len(results))
	} else if differ > 0 {
		fmt.Printf("%d of %d blocks differ from their real run: go run ./tests/cmd/lessons -update rewrites them\n", differ, len(results))
	} else if ok {
		fmt.Printf("all %d blocks match their real run\n", len(results))
	}
	return ok
}

// printSizes prints each lesson's text outside folds against its target.
func printSizes(w *lessons.Workspace) bool {
	ok := true
	for _, st := range milestones.Stages() {
		l, err := w.Lesson(st.Number)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "lessons: %v\n", err)
			return false
		}
		n, target := l.OutsideFolds(), lessons.SizeTarget(st.Number)
		verdict := "ok"
		if n >= target {
			verdict, ok = "OVER", false
		}
		fmt.Printf("%-24s %6d bytes outside folds, target under %d: %s\n", filepath.Join(st.Dir, "README.md"), n, target, verdict)
	}
	return ok
}

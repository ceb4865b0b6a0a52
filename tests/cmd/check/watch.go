//go:build linux

package main

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"
)

// pollEvery is how often -watch looks at modification times. Polling needs
// no extra dependency and works on every file system, network and virtual
// ones included.
const pollEvery = 500 * time.Millisecond

// watch runs the checks, then again after every change to a .go file or
// go.mod in what is checked. It returns only when ctx is done (Ctrl-C, for
// example), reporting whether the last run passed.
func (c *checker) watch(ctx context.Context) bool {
	for {
		if c.style.Terminal {
			fmt.Fprint(c.out, "\x1b[H\x1b[2J") // clear the screen
		}
		// Look before running, so that a file saved during the run starts
		// another one.
		before := c.snapshot()
		passed := c.run(ctx)
		if ctx.Err() != nil {
			return passed
		}
		fmt.Fprintf(c.out, "\nWatching for changes to .go files; Ctrl-C to stop.\n")
		for {
			select {
			case <-ctx.Done():
				return passed
			case <-time.After(pollEvery):
			}
			if now := c.snapshot(); now != before {
				break
			}
		}
	}
}

// snapshot sums up the names, sizes and modification times of the files
// that matter to the checked directories.
func (c *checker) snapshot() string {
	var b strings.Builder
	for _, st := range c.cfg.stages {
		filepath.WalkDir(c.dirOf(st), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && path != c.dirOf(st) && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			name := d.Name()
			if !d.IsDir() && (strings.HasSuffix(name, ".go") || name == "go.mod" || name == "go.sum") {
				if info, err := d.Info(); err == nil {
					fmt.Fprintf(&b, "%s %d %d\n", path, info.Size(), info.ModTime().UnixNano())
				}
			}
			return nil
		})
	}
	return b.String()
}

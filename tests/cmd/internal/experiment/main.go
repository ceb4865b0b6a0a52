package experiment

import (
	"flag"
	"fmt"
	"os"
	"slices"
)

// Main is the whole of an experiment's main function: it reads the
// command line with parse, runs the experiment with run, and exits with
// status 2 for bad flags (after the usage), 1 when run fails or reports
// that a run went wrong, and 0 otherwise. name prefixes its messages.
func Main[O any](name string, parse func(args []string) (O, error), run func(O) (ok bool, err error)) {
	opts, err := parse(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		flag.Usage()
		os.Exit(2)
	}
	ok, err := run(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// Against returns the label that loadgen -spread should divide each
// figure by: the first of candidates among labels, or "" for none.
func Against(labels []string, candidates ...string) string {
	for _, c := range candidates {
		if slices.Contains(labels, c) {
			return c
		}
	}
	return ""
}

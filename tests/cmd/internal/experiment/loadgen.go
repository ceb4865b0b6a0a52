package experiment

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Loadgen is the path of a built tests/cmd/loadgen.
type Loadgen string

// Run runs loadgen with args, which it prints first, and returns its
// summary line, and runErr when loadgen said there were errors (exit
// status 1); err when there is no summary line. Its progress line and its
// descriptions of the first errors go to stderr.
func (lg Loadgen) Run(args ...string) (summary string, runErr, err error) {
	fmt.Printf("$ loadgen %s\n", strings.Join(args, " "))
	cmd := exec.Command(string(lg), args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	runErr = cmd.Run()
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		return "", nil, runErr
	}
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, "loadgen ") {
			summary = strings.TrimSpace(line)
		}
	}
	if summary == "" {
		return "", nil, fmt.Errorf("loadgen ended (%v) without a summary line", runErr)
	}
	return summary, runErr, nil
}

// Output runs loadgen with args and the summary lines on its stdin, for a
// table, a chart or a spread, and copies what it prints to stdout.
func (lg Loadgen) Output(summaries []string, args ...string) error {
	cmd := exec.Command(string(lg), args...)
	cmd.Stdin = strings.NewReader(strings.Join(summaries, "\n") + "\n")
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	return cmd.Run()
}

// Package workbook has what the workbook's commands need to know about it.
package workbook

import (
	"fmt"
	"os"
	"path/filepath"
)

// Root returns the workbook's root directory: the current directory or the
// nearest one above it that holds go.work and tests/cmd/command, the
// command that asks. A learner may run a command from a stage directory,
// and it still works on the whole workbook.
func Root(command string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isRoot(dir, command) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("not inside the workbook: run this from the repository (go run ./tests/cmd/%s)", command)
		}
		dir = parent
	}
}

func isRoot(dir, command string) bool {
	for _, p := range []string{"go.work", filepath.Join("tests", "cmd", command)} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return false
		}
	}
	return true
}

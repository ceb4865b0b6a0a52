// Package tests drives the workbook's checks with "go test": every milestone
// and challenge against the reference solutions, the shipped skeletons
// against their first milestone, and the rules that keep skeletons and
// solutions in step.
package tests

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"workbook/tests/harness"
)

// root is the repository root, seen from this package's directory.
const root = ".."

var (
	binDir string // where built programs go; removed when the tests end

	buildMu sync.Mutex
	built   = map[string]string{} // directory -> binary
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "workbook-tests-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// build compiles the main package in dir (relative to the repository root)
// once per test run and returns the binary.
func build(t *testing.T, dir string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if bin, ok := built[dir]; ok {
		return bin
	}
	out := filepath.Join(binDir, filepath.FromSlash(dir))
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	bin, err := harness.Build(context.Background(), filepath.Join(root, dir), out)
	if err != nil {
		t.Fatal(err)
	}
	built[dir] = bin
	return bin
}

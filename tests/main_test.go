// Package tests drives the workbook's checks with "go test": every milestone
// and challenge against the reference solutions, the shipped skeletons
// against their first milestone, and the rules that keep skeletons and
// solutions in step.
package tests

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"workbook/tests/harness"
	"workbook/tests/milestones"
)

// root is the repository root, seen from this package's directory.
const root = ".."

var (
	binDir string // where built programs go; removed when the tests end

	buildCount sync.Mutex
	buildN     int // numbers the directories the binaries go to
	// buildSlots bounds how many builds run at once. A build that
	// compiles keeps a CPU busy, and one that finds everything in the
	// build cache spends most of its time starting up.
	buildSlots = make(chan struct{}, 2*runtime.GOMAXPROCS(0))

	// busy is shared by every check the tests run, so that the busy
	// parts of checks running at once (megabytes of traffic, a thousand
	// clients) take turns; see milestones.Limit. Such a part keeps about
	// two CPUs busy, the check's end and the program's.
	busy = milestones.NewLimit(max(1, runtime.GOMAXPROCS(0)/2))
)

func TestMain(m *testing.M) {
	// Most tests here wait on programs (a reply, a line, an exit), which
	// costs nothing, so more of them run at once than -parallel's default
	// of GOMAXPROCS. What keeps a CPU busy takes turns through limits of
	// its own: buildSlots, and busy. A -parallel given on the command
	// line still decides.
	flag.Parse()
	if !flagSet("test.parallel") {
		flag.Set("test.parallel", fmt.Sprint(4*runtime.GOMAXPROCS(0)))
	}
	dir, err := os.MkdirTemp("", "workbook-tests-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// flagSet reports whether the flag called name was given.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// build compiles the main package in dir (relative to the repository root)
// once per test run and returns the binary.
func build(t *testing.T, dir string) string {
	t.Helper()
	bin, err := buildOnce(filepath.Join(root, dir))
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// builds holds every build of the test run, by directory.
var builds memo[string]

// buildOnce compiles the main package in dir once per test run, with as
// many other builds at once as there are CPUs, and returns the binary or
// the build's error (a *harness.BuildError when it does not compile).
// Tests that ask for the same directory at the same time wait for the one
// build.
func buildOnce(dir string) (string, error) {
	return builds.get(filepath.Clean(dir), func() (string, error) {
		buildCount.Lock()
		buildN++
		out := filepath.Join(binDir, "bin", fmt.Sprint(buildN))
		buildCount.Unlock()
		if err := os.MkdirAll(out, 0o755); err != nil {
			return "", err
		}
		buildSlots <- struct{}{}
		defer func() { <-buildSlots }()
		return cachedBuild(dir, out)
	})
}

// cachedBuild compiles the main package in dir into a binary in outDir, as
// harness.Build does, and returns the binary's path. It builds through
// "go run -exec cp", which copies the binary out instead of running it,
// because go run keeps the executables it links in the build cache and go
// build does not: the next test run links nothing that has not changed.
func cachedBuild(dir, outDir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(outDir, filepath.Base(abs))
	cmd := exec.Command("go", "run", "-exec", "cp", ".", bin)
	cmd.Dir = abs
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, statErr := os.Stat(bin); statErr == nil {
			return "", fmt.Errorf("go run -exec cp in %s: %v\n%s", abs, err, out)
		}
		return "", &harness.BuildError{Dir: abs, Output: strings.TrimSpace(string(out))}
	}
	return bin, nil
}

// A memo remembers, for each key, what one call of a function returned.
type memo[V any] struct{ m sync.Map }

type memoEntry[V any] struct {
	once sync.Once
	v    V
	err  error
}

// get returns what f returned for key, calling it only the first time;
// calls for the same key at the same time wait for that one.
func (m *memo[V]) get(key string, f func() (V, error)) (V, error) {
	e, _ := m.m.LoadOrStore(key, new(memoEntry[V]))
	entry := e.(*memoEntry[V])
	entry.once.Do(func() { entry.v, entry.err = f() })
	return entry.v, entry.err
}

package tests

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"workbook/tests/harness"
)

// A proc is a process as /proc shows it.
type proc struct {
	pid, ppid int
	argv, env []string
	cwd       string
}

// inTmp reports whether p runs with TMPDIR set to dir: a test gives the
// check command a TMPDIR of its own, and everything the command starts
// inherits it.
func (p proc) inTmp(dir string) bool {
	return slices.Contains(p.env, "TMPDIR="+dir)
}

// procs returns the processes that have not ended and that this test may
// read, which are the ones it started, and theirs.
func procs() []proc {
	entries, _ := os.ReadDir("/proc")
	var out []proc
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || !harness.Running(pid) {
			continue
		}
		dir := filepath.Join("/proc", e.Name())
		cmdline, err1 := os.ReadFile(filepath.Join(dir, "cmdline"))
		environ, err2 := os.ReadFile(filepath.Join(dir, "environ"))
		status, err3 := os.ReadFile(filepath.Join(dir, "status"))
		if err1 != nil || err2 != nil || err3 != nil {
			continue // ended meanwhile, or not ours
		}
		p := proc{pid: pid, argv: nulSeparated(cmdline), env: nulSeparated(environ)}
		p.cwd, _ = os.Readlink(filepath.Join(dir, "cwd"))
		for _, line := range strings.Split(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, "PPid:"); ok {
				p.ppid, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		out = append(out, p)
	}
	return out
}

func nulSeparated(b []byte) []string {
	var out []string
	for _, f := range bytes.Split(bytes.TrimRight(b, "\x00"), []byte{0}) {
		out = append(out, string(f))
	}
	return out
}

// findProc reports whether a process for which match is true is running.
func findProc(match func(proc) bool) bool {
	return slices.ContainsFunc(procs(), match)
}

// waitProc waits for a process for which match is true and returns it.
// The kernel offers no event for a process starting, so it looks at /proc
// every few milliseconds.
func waitProc(t *testing.T, what string, match func(proc) bool) proc {
	t.Helper()
	deadline := time.Now().Add(harness.Scaled(60 * time.Second))
	for time.Now().Before(deadline) {
		ps := procs()
		if i := slices.IndexFunc(ps, match); i >= 0 {
			return ps[i]
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s started", what)
	return proc{}
}

// waitNoProc waits until no process for which match is true is left.
func waitNoProc(t *testing.T, what string, match func(proc) bool) {
	t.Helper()
	deadline := time.Now().Add(harness.Scaled(10 * time.Second))
	for {
		var left []string
		for _, p := range procs() {
			if match(p) {
				left = append(left, strings.Join(p.argv, " "))
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s left running:\n%s", what, strings.Join(left, "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

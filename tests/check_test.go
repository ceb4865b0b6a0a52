package tests

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"workbook/tests/harness"
	"workbook/tests/milestones"
)

// checkCommand builds the check command once.
func checkCommand(t *testing.T) string {
	return build(t, "tests/cmd/check")
}

// runCheck runs the check command from the repository root, with plain
// output, and returns its output (stdout and stderr together) and exit
// status.
func runCheck(t *testing.T, args ...string) (string, int) {
	t.Helper()
	return runCheckIn(t, root, args...)
}

// runCheckIn runs the check command from dir, with plain output, and
// returns its output (stdout and stderr together) and exit status.
func runCheckIn(t *testing.T, dir string, args ...string) (string, int) {
	t.Helper()
	r := checkIn(t, dir, []string{"NO_COLOR=1"}, args...)
	return r.stdout + r.stderr, r.code
}

// A checkResult is what a run of the check command printed, and how it
// ended.
type checkResult struct {
	stdout, stderr string
	code           int
}

// checkIn runs the check command in dir with env added to the environment.
func checkIn(t *testing.T, dir string, env []string, args ...string) checkResult {
	t.Helper()
	cmd := exec.Command(checkCommand(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := checkResult{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		r.code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCheckCommandUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"9"},
		{"one"},
		{"1", "2"},
		{"-dir", "somewhere"},
		{"-solutions", "-dir", "x", "1"},
		{"-no-such-flag"},
	} {
		out, code := runCheck(t, args...)
		if code != 2 || !strings.Contains(out, "Usage: go run ./tests/cmd/check") {
			t.Errorf("check %s: exit %d, output:\n%s\nwant exit status 2 and the usage", strings.Join(args, " "), code, out)
		}
	}
}

func TestCheckCommandHelp(t *testing.T) {
	t.Parallel()
	out, code := runCheck(t, "-h")
	if code != 0 || !strings.Contains(out, "Usage: go run ./tests/cmd/check") {
		t.Errorf("check -h: exit %d, output:\n%s\nwant exit status 0 and the usage", code, out)
	}
}

// TestCheckCommandRelativeDir checks the repro command for a -dir given
// relative to where the learner is: it must be one they can paste.
func TestCheckCommandRelativeDir(t *testing.T) {
	t.Parallel()
	out, code := runCheckIn(t, shippedTree(t), "-dir", "stage1-server", "1")
	if code != 1 || !strings.Contains(out, "$ go run ./stage1-server\n") {
		t.Errorf("check -dir stage1-server 1: exit %d, output:\n%s\nwant exit status 1 and the repro command go run ./stage1-server", code, out)
	}
}

func TestCheckCommandOnSkeletons(t *testing.T) {
	t.Parallel()
	out, code := runCheckIn(t, shippedTree(t))
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	for _, want := range []string{
		"Stage 1: a blocking TCP server (stage1-server)",
		"FAIL Milestone 1: listens and accepts a client",
		"[TODO] step 1 is not done yet: see README.md, Step 1",
		"---- Milestone 2: reverses lines (not run)",
		`Next: Stage 1 fails at Milestone 1: listens and accepts a client. Read Step 1, "Create a socket", in stage1-server/README.md#step-1-create-a-socket`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckCommandOnSolutions(t *testing.T) {
	t.Parallel()
	out, code := runCheck(t, "-solutions", "1")
	if code != 0 || !strings.Contains(out, "(Optional: go run ./tests/cmd/check -solutions -challenges 1)") {
		t.Errorf("exit status %d, output:\n%s\nwant status 0, and the challenges suggested for the solutions", code, out)
	}
	out, code = runCheck(t, "-solutions", "-challenges", "1")
	if code != 0 || !strings.Contains(out, "Well done!") || strings.Contains(out, "FAIL") {
		t.Errorf("exit status %d, output:\n%s\nwant status 0 and every check passing", code, out)
	}
}

// copyStage copies a package's directory (relative to the repository
// root, or absolute), module files included, to a new temporary directory
// and returns it.
func copyStage(t *testing.T, dir string) string {
	t.Helper()
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	dst := t.TempDir()
	if err := harness.CopyPackage(dir, dst, nil); err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestCheckCommandDirAndCompileError(t *testing.T) {
	t.Parallel()
	dir := copyStage(t, shippedStage(t, milestones.StageByNumber(1)))
	// A learner's half-typed Step 2.
	src := filepath.Join(dir, "server.go")
	b, _ := os.ReadFile(src)
	broken := strings.Replace(string(b), "\ttodo(2)\n", "\ttodo(2)\n\tunix.Bind(fd, addr)\n", 1)
	os.WriteFile(src, []byte(broken), 0o644)

	out, code := runCheck(t, "-dir", dir, "1")
	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	for _, want := range []string{
		"FAIL it does not compile",
		"server.go:",
		`undefined: addr   ← Step 2: Bind and listen`,
		`Next: fix the compile error in ` + dir + ` (in your code for Step 2, "Bind and listen"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckCommandWatchRerunsOnSave(t *testing.T) {
	t.Parallel()
	dir := copyStage(t, "solutions/stage1-server")
	p, err := harness.Start(checkCommand(t), harness.Options{
		Args: []string{"-watch", "-dir", dir, "1"},
		Env:  []string{"NO_COLOR=1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	watching := func(s string) bool { return strings.HasPrefix(s, "Watching for changes") }
	if _, err := p.WaitLine(60*time.Second, watching); err != nil {
		t.Fatalf("the first run did not finish: %v\n%s", err, strings.Join(p.Output(harness.Stdout), "\n"))
	}
	// Save a file with new content, as an editor would.
	src := filepath.Join(dir, "main.go")
	b, _ := os.ReadFile(src)
	os.WriteFile(src, append(b, "\n// saved\n"...), 0o644)
	if _, err := p.WaitLine(60*time.Second, watching); err != nil {
		t.Fatalf("no second run after a save: %v\n%s", err, strings.Join(p.Output(harness.Stdout), "\n"))
	}
	if n := strings.Count(strings.Join(p.Output(harness.Stdout), "\n"), "PASS Milestone 3"); n != 2 {
		t.Errorf("Milestone 3 passed %d times, want 2 (once per run)", n)
	}
	// Ctrl-C stops it.
	p.Signal(syscall.SIGINT)
	if exit, err := p.WaitExit(10 * time.Second); err != nil || exit.Code != 130 {
		t.Errorf("after SIGINT: %v, %v; want exit status 130", exit, err)
	}
}

package tests

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"workbook/tests/harness"
)

// A checkRun is the check command running in a test, with a TMPDIR of its
// own, so that the test can see what it leaves behind.
type checkRun struct {
	*harness.Process
	tmp string
}

// startCheck starts the check command with args, in the repository root.
func startCheck(t *testing.T, args ...string) *checkRun {
	t.Helper()
	tmp := t.TempDir()
	p, err := harness.Start(checkCommand(t), harness.Options{
		Args: args,
		Dir:  root,
		Env:  []string{"TMPDIR=" + tmp, "NO_COLOR=1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return &checkRun{p, tmp}
}

// waitProc waits for a process that the check started for which match is
// true, and fails if the check ends first.
func (c *checkRun) waitProc(t *testing.T, what string, match func(proc) bool) {
	t.Helper()
	deadline := time.Now().Add(harness.Scaled(60 * time.Second))
	for time.Now().Before(deadline) {
		if findProc(func(p proc) bool { return p.inTmp(c.tmp) && match(p) }) {
			return
		}
		if exit := c.Exited(); exit != nil {
			t.Fatalf("the check ended (%v) before a %s started:\n%s", exit, what, c.output())
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s started:\n%s", what, c.output())
}

// output returns what the check printed so far.
func (c *checkRun) output() string {
	var out strings.Builder
	for _, l := range c.Lines() {
		fmt.Fprintf(&out, "%s: %s\n", l.Who, l.Text)
	}
	return out.String()
}

// expectStopped checks that the command, sent a signal, ended at once with
// status 130, said that it stopped and nothing else, and left nothing
// behind: no process it started, no temporary file. "At once" is within a
// few seconds: the programs it stops have a second to end after SIGTERM,
// and no wait of a check may run on to its deadline.
func (c *checkRun) expectStopped(t *testing.T) {
	t.Helper()
	exit, err := c.WaitExit(5 * time.Second)
	out := c.output()
	if err != nil || exit.Code != 130 {
		t.Errorf("the check ended with %v (%v), want exit status 130; it printed:\n%s", exit, err, out)
	}
	if !strings.Contains(out, "stderr: check: stopped") {
		t.Errorf("the check does not say that it stopped:\n%s", out)
	}
	for _, wrong := range []string{"does not compile", "FAIL", "signal: "} {
		if strings.Contains(out, wrong) {
			t.Errorf("the check, stopped, printed %q as if something had failed:\n%s", wrong, out)
		}
	}
	expectNothingLeft(t, c.tmp)
}

// expectNothingLeft checks that a check command that had TMPDIR tmp, and
// has ended, left no process and no file behind.
func expectNothingLeft(t *testing.T, tmp string) {
	t.Helper()
	waitNoProc(t, "processes the check started", func(p proc) bool { return p.inTmp(tmp) })
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		var names []string
		filepath.WalkDir(tmp, func(path string, d os.DirEntry, err error) error {
			names = append(names, path)
			return nil
		})
		t.Errorf("the check left files in its TMPDIR:\n%s", strings.Join(names, "\n"))
	}
}

// The ways a check is stopped: Ctrl-C and a closed terminal signal the
// terminal's whole foreground process group, kill signals one process.
var stops = []struct {
	name  string
	sig   syscall.Signal
	group bool
}{
	{"Ctrl-C", syscall.SIGINT, true},
	{"kill", syscall.SIGTERM, false},
	{"terminal closed", syscall.SIGHUP, true},
}

// stop sends c what s sends. The check leads its own process group, as a
// command run from a shell does.
func (c *checkRun) stop(t *testing.T, sig syscall.Signal, group bool) {
	t.Helper()
	pid := c.Pid()
	if group {
		pid = -pid
	}
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatal(err)
	}
}

// slowStage returns a copy of the Stage 1 solution with a large generated
// file, so that the compiler takes seconds over it, and a value in it that
// is new every time, so that no build cache has it.
func slowStage(t *testing.T) string {
	t.Helper()
	dir := copyStage(t, "solutions/stage1-server")
	var b strings.Builder
	fmt.Fprintf(&b, "package main\n\nconst buildID = %d\n", rand.Int64())
	for i := range 3000 {
		fmt.Fprintf(&b, "\nfunc gen%d(x int) int {\n\tfor i := range %d {\n\t\tx ^= i << 3\n"+
			"\t\tif x%%7 == 3 {\n\t\t\tx += buildID\n\t\t}\n\t}\n\treturn x\n}\n", i, i%13+1)
	}
	if err := os.WriteFile(filepath.Join(dir, "big.go"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCheckCommandStopsDuringBuild stops the check while the compiler
// works on the stage: the moment when a Ctrl-C used to reach the compiler
// and pass for a compile error, or leave the go command's temporary folder
// behind.
func TestCheckCommandStopsDuringBuild(t *testing.T) {
	t.Parallel()
	for _, s := range stops {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			dir := slowStage(t)
			c := startCheck(t, "-dir", dir, "1")
			c.waitProc(t, "compiler for the stage", func(p proc) bool {
				return filepath.Base(p.argv[0]) == "compile" && p.cwd == dir
			})
			c.stop(t, s.sig, s.group)
			c.expectStopped(t)
		})
	}
}

// TestCheckCommandStopsDuringChecks stops the check while a program under
// test runs: one that prints nothing and never ends, so that Milestone 1
// waits for its listening line until the test is ready.
func TestCheckCommandStopsDuringChecks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module hang\n\ngo 1.26.0\n")
	write(t, filepath.Join(dir, "main.go"), "package main\n\nimport \"time\"\n\nfunc main() { time.Sleep(time.Hour) }\n")
	for _, s := range stops {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			c := startCheck(t, "-dir", dir, "1")
			c.waitProc(t, "program under test", func(p proc) bool {
				return strings.HasPrefix(p.argv[0], filepath.Join(c.tmp, "workbook-check-"))
			})
			c.stop(t, s.sig, s.group)
			c.expectStopped(t)
		})
	}
}

// TestCheckCommandEndsWithGoRun checks that the check, run by "go run" as
// the README says, ends when "go run" is killed. "go run" dies of SIGTERM
// without passing it on, and -watch used to carry on for ever, a child of
// init.
func TestCheckCommandEndsWithGoRun(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := copyStage(t, "solutions/stage1-server")
	goRun, err := harness.Start("go", harness.Options{
		Args: []string{"run", "./tests/cmd/check", "-watch", "-dir", dir, "1"},
		Dir:  root,
		// The go command's own temporary files go elsewhere: killed, it
		// leaves them behind, and that is not the check's doing.
		Env: []string{"TMPDIR=" + tmp, "GOTMPDIR=" + t.TempDir(), "NO_COLOR=1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer goRun.Stop()
	if _, err := goRun.WaitLine(120*time.Second, func(s string) bool { return strings.HasPrefix(s, "Watching for changes") }); err != nil {
		t.Fatalf("the check did not get to watching: %v\n%s", err, strings.Join(goRun.Output(harness.Stdout), "\n"))
	}
	check := waitProc(t, "check started by go run", func(p proc) bool { return p.ppid == goRun.Pid() })
	goRun.Signal(syscall.SIGTERM)
	if exit, err := goRun.WaitExit(10 * time.Second); err != nil || exit.Signal != syscall.SIGTERM {
		t.Fatalf("go run ended with %v (%v); want it killed by SIGTERM", exit, err)
	}
	waitNoProc(t, "the check, after go run ended,", func(p proc) bool { return p.pid == check.pid })
	expectNothingLeft(t, tmp)
}

// TestCheckCommandStopsWhenOutputCloses checks "check | head -1": when
// the reader of its output goes away, the check stops as if interrupted,
// rather than die of SIGPIPE with its temporary files still in place.
func TestCheckCommandStopsWhenOutputCloses(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	cmd := exec.Command(checkCommand(t), "-solutions", "-challenges", "1")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "NO_COLOR=1")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = w, &stderr
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer cmd.Process.Kill()
	// Read the first line, as head -1 does, and go.
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if !strings.HasPrefix(line, "Stage 1:") {
		t.Fatalf("the first line is %q (%v), want the heading of Stage 1", line, err)
	}
	select {
	case <-exited:
	case <-time.After(harness.Scaled(30 * time.Second)):
		t.Fatal("the check did not end after its reader went")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("the check ended with %v, want exit status 130; stderr:\n%s", cmd.ProcessState, &stderr)
	}
	expectNothingLeft(t, tmp)
}

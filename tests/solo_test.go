package tests

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"workbook/tests/lessons"
	"workbook/tests/milestones"
)

// TestSoloTrack follows each lesson's "On your own" section: a module of
// the learner's own, outside the repository (go mod init, then
// golang.org/x/sys v0.50.0), holding the stage's program (here the
// solution's files, without their tests), checked from the repository root
// with -dir. Every milestone must pass. x/sys comes from the module cache,
// as the workspace needs it anyway: this test uses no network, and skips
// when the cache lacks it.
func TestSoloTrack(t *testing.T) {
	for _, st := range milestones.Stages() {
		t.Run(st.Dir, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), fmt.Sprintf("my-stage%d", st.Number))
			err := lessons.SoloModule(context.Background(), filepath.Join(root, "solutions", st.Dir), dir)
			if lessons.IsSkip(err) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			out, code := runCheck(t, "-dir", dir, fmt.Sprint(st.Number))
			if code != 0 || !strings.Contains(out, "Well done!") {
				t.Fatalf("check -dir %s %d: exit status %d, want 0 and every milestone passing:\n%s", dir, st.Number, code, out)
			}
			for _, m := range st.Milestones() {
				if !strings.Contains(out, "PASS "+m.Name()) {
					t.Errorf("%s did not pass:\n%s", m.Name(), out)
				}
			}
		})
	}
}

// tryByHand matches the first command of a failure's "try it by hand".
var tryByHand = regexp.MustCompile(`try it by hand.*\n\s+\$ (.*)\n`)

// TestSoloTrackRunCommand checks the command that a failure tells the
// learner to run by hand, for a program in a module outside the
// repository: pasted at the repository root, where the learner runs the
// check, it must run that program. (go run /abs/path would not: from
// inside the workbook, go refuses a module that is not one of its
// workspace's.)
func TestSoloTrackRunCommand(t *testing.T) {
	for _, name := range []string{"my-stage1", "my stage1"} { // a space, for the quoting
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			const todo = "[TODO] step 1 is not done yet: see README.md, Step 1"
			files := map[string]string{
				"go.mod": "module mystage1\n\ngo 1.26.0\n",
				"main.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\n" +
					"func main() {\n\tfmt.Fprintln(os.Stderr, " + fmt.Sprintf("%q", todo) + ")\n\tos.Exit(3)\n}\n",
			}
			for name, text := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, code := runCheck(t, "-dir", dir, "1")
			m := tryByHand.FindStringSubmatch(out)
			if code != 1 || m == nil {
				t.Fatalf("check -dir %q 1: exit status %d, want 1 and a command to try by hand:\n%s", dir, code, out)
			}
			cmd := exec.Command("sh", "-c", m[1])
			cmd.Dir = root
			ran, err := cmd.CombinedOutput()
			if !strings.Contains(string(ran), todo) || !strings.Contains(string(ran), "exit status 3") {
				t.Errorf("the command to try by hand, %s, run at the repository root, did not run the program (%v):\n%s", m[1], err, ran)
			}
		})
	}
}

package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"workbook/tests/milestones"
)

// TestBuildsOnOtherSystems builds every stage program (skeletons, solutions
// and experiments) and the check command for macOS and Windows. They cannot
// run there, but they must build, so that a learner on those systems gets
// the program's one clear message (unsupported.go, main_other.go) instead
// of a wall of compiler errors about golang.org/x/sys/unix.
func TestBuildsOnOtherSystems(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiling the standard library takes a while")
	}
	t.Parallel()
	for _, goos := range []string{"darwin", "windows"} {
		t.Run(goos, func(t *testing.T) {
			t.Parallel()
			crossBuild(t, goos, root, "workbook/solutions/...", "./tests/cmd/check")
			for _, st := range milestones.Stages() {
				t.Run(st.Dir, func(t *testing.T) {
					crossBuild(t, goos, shippedStage(t, st), ".")
				})
			}
		})
	}
}

// crossBuild builds pkgs, from dir, for goos, and fails t if they do not
// compile.
func crossBuild(t *testing.T, goos, dir string, pkgs ...string) {
	t.Helper()
	buildSlots <- struct{}{}
	defer func() { <-buildSlots }()
	cmd := exec.Command("go", append([]string{"build", "-o", os.DevNull}, pkgs...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=%s go build %v in %s: %v\n%s", goos, pkgs, dir, err, out)
	}
}

// TestDevContainer checks that the dev container the README points learners
// on macOS and Windows to is valid JSON with a Go image and netcat.
func TestDevContainer(t *testing.T) {
	b, err := os.ReadFile(root + "/.devcontainer/devcontainer.json")
	if err != nil {
		t.Fatal(err)
	}
	var dc struct {
		Image             string `json:"image"`
		PostCreateCommand string `json:"postCreateCommand"`
	}
	if err := json.Unmarshal(b, &dc); err != nil {
		t.Fatalf("devcontainer.json: %v", err)
	}
	if !strings.Contains(dc.Image, "devcontainers/go") || !strings.Contains(dc.PostCreateCommand, "netcat-openbsd") {
		t.Errorf("devcontainer.json should use a Go image and install netcat, got image %q and postCreateCommand %q", dc.Image, dc.PostCreateCommand)
	}
}

package harness

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// A BuildError says that a program did not compile.
type BuildError struct {
	Dir    string // the directory that was built
	Output string // what the Go toolchain printed
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("go build in %s failed:\n%s", e.Dir, e.Output)
}

// Build compiles the main package in dir into a binary in outDir and returns
// the binary's path.
//
// It runs "go build" inside dir, with workspaces turned off, so the package
// builds against its own go.mod exactly as "go build" run there by hand would:
// a directory outside this repository works as well as one inside it.
func Build(ctx context.Context, dir, outDir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(outDir, filepath.Base(abs))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = abs
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		text := strings.TrimSpace(string(out))
		if text == "" {
			text = err.Error()
		}
		return "", &BuildError{Dir: abs, Output: text}
	}
	return bin, nil
}

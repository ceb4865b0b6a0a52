package harness

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
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
// the binary's path. It is Builder{OutDir: outDir}.Build.
func Build(ctx context.Context, dir, outDir string) (string, error) {
	return Builder{OutDir: outDir}.Build(ctx, dir)
}

// A Builder compiles main packages with "go build".
type Builder struct {
	// OutDir is where the binaries go. The go command keeps its own
	// temporary files there too, so that removing OutDir removes whatever
	// an interrupted build left behind.
	OutDir string
	// Progress, if set, gets each line in which the go command says what it
	// fetches, such as "go: downloading golang.org/x/sys v0.50.0", as it
	// comes: on a machine that has never built the workbook, fetching and
	// building can take minutes.
	Progress func(line string)
}

// Build compiles the main package in dir into a binary in b.OutDir and
// returns the binary's path.
//
// It runs "go build" inside dir, with workspaces turned off, so the package
// builds against its own go.mod exactly as "go build" run there by hand would:
// a directory outside this repository works as well as one inside it.
//
// The go command runs in a process group of its own, so that a Ctrl-C
// meant for the caller does not reach the compiler and pass for a compile
// error. When ctx is done, the whole group gets SIGTERM, then SIGKILL, and
// Build returns ctx's error.
func (b Builder) Build(ctx context.Context, dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(b.OutDir, filepath.Base(abs))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = abs
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOTMPDIR="+b.OutDir,
		"GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -buildvcs=false"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = Scaled(2 * time.Second)
	out := &buildOutput{progress: b.Progress}
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	if err != nil && cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // a compiler the go command left running
	}
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err()
	case err != nil:
		text := strings.TrimSpace(out.String())
		if text == "" {
			text = err.Error()
		}
		return "", &BuildError{Dir: abs, Output: text}
	}
	return bin, nil
}

// buildOutput collects what the go command prints, and passes on each line
// that says what it fetches.
type buildOutput struct {
	progress func(string)

	mu      sync.Mutex
	all     bytes.Buffer
	partial []byte // the start of a line whose "\n" has not come yet
}

func (o *buildOutput) Write(b []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all.Write(b)
	if o.progress == nil {
		return len(b), nil
	}
	o.partial = append(o.partial, b...)
	for {
		i := bytes.IndexByte(o.partial, '\n')
		if i < 0 {
			break
		}
		if line := string(o.partial[:i]); strings.HasPrefix(line, "go: downloading ") {
			o.progress(line)
		}
		o.partial = o.partial[i+1:]
	}
	return len(b), nil
}

func (o *buildOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.all.String()
}

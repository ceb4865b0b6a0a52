package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"workbook/tests/cmd/internal/experiment"
)

// syscallRawio stands in for rawio.go when c10k builds the epoll server:
// the same helpers, made of the calls the Steps use (unix.Read,
// unix.Write, unix.Accept4). So epoll and epoll-raw differ in what
// rawio.go saves and nothing else.
const syscallRawio = `//go:build linux

package main

import "golang.org/x/sys/unix"

// This file is c10k's stand-in for rawio.go: see tests/cmd/c10k.

func rawRead(fd int, p []byte) (int, error)  { return unix.Read(fd, p) }
func rawWrite(fd int, p []byte) (int, error) { return unix.Write(fd, p) }

func rawAccept(fd int, flags int) (int, error) {
	nfd, _, err := unix.Accept4(fd, flags)
	return nfd, err
}
`

// build compiles s into a folder of its own under dir, so that servers
// built from the same directory do not overwrite each other.
func build(s *server, dir string) error {
	out := filepath.Join(dir, s.label)
	var err error
	if s.syscallIO {
		s.bin, err = buildReplacing(s.dir, out, "rawio.go", syscallRawio)
	} else {
		s.bin, err = experiment.Build(s.dir, out)
	}
	return err
}

// buildReplacing builds the main package in dir into outDir, like
// harness.Build, with content in place of dir's file name. The file is not
// touched: go build's -overlay flag reads content from a copy instead (see
// "go help build").
func buildReplacing(dir, outDir, name, content string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	stand := filepath.Join(outDir, name)
	if err := os.WriteFile(stand, []byte(content), 0o644); err != nil {
		return "", err
	}
	overlay, err := json.Marshal(map[string]any{"Replace": map[string]string{filepath.Join(abs, name): stand}})
	if err != nil {
		return "", err
	}
	overlayFile := filepath.Join(outDir, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(outDir, filepath.Base(abs))
	cmd := exec.Command("go", "build", "-overlay", overlayFile, "-o", bin, ".")
	cmd.Dir = abs
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build -overlay in %s failed:\n%s", abs, strings.TrimSpace(string(out)))
	}
	return bin, nil
}

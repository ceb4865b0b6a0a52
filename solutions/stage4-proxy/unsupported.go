//go:build !linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// main stands in for the program on systems other than Linux. The program
// makes Linux's own system calls through golang.org/x/sys/unix, which other
// systems lack or have in another form (epoll, above all, is Linux's alone),
// so its files are built on Linux only: see the //go:build line at their top.
func main() {
	fmt.Fprintf(os.Stderr, "[ERROR] %s cannot run on %s: it makes Linux system calls, which only Linux has\n", filepath.Base(os.Args[0]), runtime.GOOS)
	fmt.Fprintln(os.Stderr, "Run the workbook on Linux: on a Linux machine or virtual machine, or in its dev container (.devcontainer/devcontainer.json, for VS Code or GitHub Codespaces).")
	os.Exit(1)
}

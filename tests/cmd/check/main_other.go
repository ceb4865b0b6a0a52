//go:build !linux

package main

import (
	"fmt"
	"os"
	"runtime"
)

// main says why the checks cannot run here. They build and run the stage
// programs, which make Linux system calls (epoll among them), and they watch
// those programs through Linux's /proc and process groups.
func main() {
	fmt.Fprintf(os.Stderr, "check: the workbook's programs make Linux system calls, so they and their checks run on Linux only, not on %s.\n", runtime.GOOS)
	fmt.Fprintln(os.Stderr, "Run the workbook on Linux: on a Linux machine or virtual machine, "+
		"or in its dev container (.devcontainer/devcontainer.json, for VS Code or GitHub Codespaces).")
	os.Exit(1)
}

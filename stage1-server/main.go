//go:build linux

// Command stage1-server is a blocking TCP server that reverses each line its
// one client sends. It is Stage 1 of the sockets workbook: read README.md in
// the stage1-server directory for the lesson.
package main

import (
	"fmt"
	"os"
)

func main() {
	cfg := parseFlags(os.Args[0], os.Args[1:])
	if err := run(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "[ERROR] %v\n", err)
	}
	// This server has no way to stop on purpose: it stops because its only
	// client left, or because a system call failed. Either way the shell sees
	// status 1, which tells a script that the server is no longer serving.
	os.Exit(1)
}

//go:build linux

// Command iterative-server is the Stage 1 server with one change: when its
// client leaves, it goes back to accept(2) and serves the next one, so it
// serves any number of clients, one after another. It is an experiment of
// Stage 2 of the sockets workbook: read "An iterative server" in
// stage2-client/README.md.
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
	// run returns only when a system call failed: this server serves until
	// it is stopped with a signal (Ctrl-C).
	os.Exit(1)
}

//go:build linux

// Command stage2-client is a TCP client for the Stage 1 server: it sends each
// line typed on stdin to the server and prints the server's reply. It is
// Stage 2 of the sockets workbook: read README.md in the stage2-client
// directory for the lesson.
package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

func main() {
	cfg := parseFlags(os.Args[0], os.Args[1:])
	fd, err := connectTo(cfg.host, cfg.port)
	if err != nil {
		fmt.Fprintf(os.Stderr, "[ERROR] Failed to connect to server: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("[INFO] Connected to server")

	err = talk(fd, os.Stdin)
	// Closing the socket ends the connection: the server reads end of file.
	unix.Close(fd)
	switch {
	case err == nil:
		// stdin ended: there is nothing more to send, and every line sent
		// has had its reply. That is the one way to finish successfully.
		os.Exit(0)
	case serverGone(err):
		fmt.Println("[INFO] Server disconnected. Closing client")
	default:
		fmt.Fprintf(os.Stderr, "[ERROR] %v\n", err)
	}
	os.Exit(1)
}

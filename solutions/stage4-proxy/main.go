//go:build linux

// Command stage4-proxy is a TCP proxy: for every client that connects, it
// opens a connection of its own to an upstream server and relays the bytes
// both ways, unchanged, from one thread with epoll. It is Stage 4 of the
// sockets workbook: read README.md in the stage4-proxy directory for the
// lesson.
package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	cfg := parseFlags(os.Args[0], os.Args[1:])

	// The Go runtime has an epoll instance of its own, for its timers, and
	// makes it (two descriptors) the first time a timer is needed; the
	// garbage collector needs one sooner or later. This short sleep has it
	// made now. Made later, when this proxy has used every descriptor it
	// may have, it would fail, and the runtime would stop the program.
	time.Sleep(time.Nanosecond)

	if err := run(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "[ERROR] %v\n", err)
		os.Exit(1)
	}
	// run returns nil only when SIGINT or SIGTERM asked the proxy to stop:
	// that is a clean end, and the shell sees status 0.
}

//go:build linux

// Command stage3-epoll is a TCP server that reverses each line its clients
// send, serving many clients at once from one thread with epoll. It is
// Stage 3 of the sockets workbook: read README.md in the stage3-epoll
// directory for the lesson.
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
	// made now. Made later, when this server has used every descriptor it
	// may have, it would fail, and the runtime would stop the program.
	time.Sleep(time.Nanosecond)

	if err := run(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "[ERROR] %v\n", err)
		os.Exit(1)
	}
	// run returns nil only when SIGINT or SIGTERM asked the server to stop:
	// that is a clean end, and the shell sees status 0.
}

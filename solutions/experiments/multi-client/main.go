//go:build linux

// Command multi-client starts many clients at once, as goroutines of one
// program. Each connects to the server, sends one line, and times how long it
// takes to be served: until the whole reply has arrived. It prints each
// client's outcome as it comes, then a short report.
//
// It is an experiment of Stage 2 of the sockets workbook: read "Many clients
// from one program" in stage2-client/README.md. Like the stage programs it
// calls the kernel through golang.org/x/sys/unix, so every call in it is one
// you have made yourself in Stages 1 and 2.
package main

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// config is what the command line asks for.
type config struct {
	host    [4]byte
	port    int
	n       int           // how many clients
	timeout time.Duration // how long each client waits to be served
	hold    time.Duration // how long a served client stays connected
}

func parseFlags(name string, args []string) config {
	// "go run" builds the program in a temporary directory: the usage
	// shows only the program's own name, not that long path.
	fs := flag.NewFlagSet(filepath.Base(name), flag.ExitOnError)
	host := fs.String("host", "127.0.0.1", "IPv4 `address` of the server")
	port := fs.Int("port", 8080, "TCP `port` the server listens on")
	n := fs.Int("n", 10, "how many clients to start at once, up to 1000")
	timeout := fs.Duration("timeout", 5*time.Second, "how long each client waits to be served")
	hold := fs.Duration("hold", 0, "how long a served client stays connected before it closes")
	fs.Parse(args) // ExitOnError: a malformed flag never returns here.

	usageError := func(format string, a ...any) {
		fmt.Fprintf(fs.Output(), format+"\n", a...)
		fs.Usage()
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		usageError("unexpected argument %q", fs.Arg(0))
	}
	addr, err := netip.ParseAddr(*host)
	if err != nil || !addr.Is4() {
		usageError("invalid value %q for flag -host: want an IPv4 address such as 127.0.0.1", *host)
	}
	if *port < 0 || *port > 65535 {
		usageError("invalid value %d for flag -port: want 0 to 65535", *port)
	}
	// Each waiting client holds an operating-system thread (see main), and
	// the Go runtime allows 10,000 threads in all.
	if *n < 1 || *n > 1000 {
		usageError("invalid value %d for flag -n: want 1 to 1000", *n)
	}
	if *timeout <= 0 {
		usageError("invalid value %v for flag -timeout: want more than 0", *timeout)
	}
	if *hold < 0 {
		usageError("invalid value %v for flag -hold: want 0 or more", *hold)
	}
	return config{host: addr.As4(), port: *port, n: *n, timeout: *timeout, hold: *hold}
}

func main() {
	cfg := parseFlags(os.Args[0], os.Args[1:])
	h := cfg.host
	fmt.Printf("[INFO] Starting %d clients against %d.%d.%d.%d:%d\n", cfg.n, h[0], h[1], h[2], h[3], cfg.port)

	// Every client runs in a goroutine of its own and blocks in its own
	// system calls; the Go runtime gives each blocked goroutine a thread.
	// Outcomes come back on one channel, in the order they happen.
	results := make(chan result)
	var running sync.WaitGroup
	for id := 1; id <= cfg.n; id++ {
		running.Go(func() {
			runClient(id, cfg, func(r result) { results <- r })
		})
	}
	var times []time.Duration
	for range cfg.n {
		r := <-results
		if r.err != nil {
			fmt.Printf("[NOT SERVED] client %d: %v\n", r.id, r.err)
			continue
		}
		fmt.Printf("[SERVED] client %d after %v\n", r.id, round(r.took))
		times = append(times, r.took)
	}

	fmt.Printf("[REPORT] %d of %d clients served\n", len(times), cfg.n)
	if len(times) > 0 {
		slices.Sort(times)
		fmt.Printf("[REPORT] median %v, slowest %v\n", round(median(times)), round(times[len(times)-1]))
	}
	running.Wait() // until the served clients have held on and closed
	if len(times) < cfg.n {
		os.Exit(1)
	}
}

// median returns the middle of sorted times, or the mean of the two middle
// ones when there is an even number.
func median(sorted []time.Duration) time.Duration {
	m := len(sorted) / 2
	if len(sorted)%2 == 0 {
		return (sorted[m-1] + sorted[m]) / 2
	}
	return sorted[m]
}

// round shows a duration to a tenth of a millisecond, which is plenty for
// telling "at once" from "one after another".
func round(d time.Duration) time.Duration {
	return d.Round(100 * time.Microsecond)
}

// Command goroutine-server is the line-reversing server of Stage 3 written
// the way most Go programmers would write it: net.Listen, one goroutine per
// client, and bufio for the framing. It speaks the same protocol, takes the
// same flags and prints the same log lines as stage3-epoll (without the
// "[DEBUG] Epoll wait" line, since it has no loop of its own).
//
// It exists to be compared with the Stage 3 event loop. Here Go's runtime
// does the epoll part: a goroutine that reads an idle socket is parked, and
// the runtime's netpoller wakes it when bytes arrive. So, unlike every stage
// program, this one imports package net on purpose. Run it, then load it
// with the workbook's load generator (built first, so that $! is the
// server's own process ID):
//
//	go build -o /tmp/goroutine-server ./solutions/experiments/goroutine-server
//	/tmp/goroutine-server -quiet &
//	go run ./tests/cmd/loadgen -conns 100 -pid $! -label goroutine
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
)

// config is what the command line asks for.
type config struct {
	addr       string // host:port to listen on
	maxLine    int    // the longest line accepted, without its terminator
	maxClients int    // how many clients are served at once
	quiet      bool   // no per-client or per-line lines
}

func main() {
	cfg := parseFlags(os.Args[0], os.Args[1:])
	ln, err := listen(cfg.addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "[ERROR] %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("[INFO] Server listening on port %d\n", ln.Addr().(*net.TCPAddr).Port)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		// Exiting closes every socket; the clients read end of file.
		fmt.Println("[INFO] Server shutting down")
		os.Exit(0)
	}()

	s := &server{config: cfg, slots: make(chan struct{}, cfg.maxClients)}
	err = s.acceptLoop(ln) // returns only when accept fails for good
	fmt.Fprintf(os.Stderr, "[ERROR] %v\n", err)
	os.Exit(1)
}

// parseFlags reads the command line. On a bad value it prints the problem
// and the usage to stderr and exits with status 2.
func parseFlags(name string, args []string) config {
	// "go run" builds the program in a temporary directory: the usage
	// shows only the program's own name, not that long path.
	fs := flag.NewFlagSet(filepath.Base(name), flag.ExitOnError)
	host := fs.String("host", "127.0.0.1", "IPv4 `address` to listen on")
	port := fs.Int("port", 8080, "TCP `port` to listen on (0 lets the kernel choose)")
	maxLine := fs.Int("max-line", 65536, "longest line in `bytes`, without its terminator")
	maxClients := fs.Int("max-clients", 10000, "most clients served at once")
	quiet := fs.Bool("quiet", false, "print no per-client or per-line lines")
	fs.Parse(args) // ExitOnError: a malformed flag never returns here.

	usageError := func(format string, a ...any) {
		fmt.Fprintf(fs.Output(), format+"\n", a...)
		fs.Usage()
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		usageError("unexpected argument %q", fs.Arg(0))
	}
	if a, err := netip.ParseAddr(*host); err != nil || !a.Is4() {
		usageError("invalid value %q for flag -host: want an IPv4 address such as 127.0.0.1", *host)
	}
	if *port < 0 || *port > 65535 {
		usageError("invalid value %d for flag -port: want 0 to 65535", *port)
	}
	if *maxLine < 1 {
		usageError("invalid value %d for flag -max-line: want 1 or more", *maxLine)
	}
	if *maxClients < 1 {
		usageError("invalid value %d for flag -max-clients: want 1 or more", *maxClients)
	}
	return config{
		addr:       net.JoinHostPort(*host, strconv.Itoa(*port)),
		maxLine:    *maxLine,
		maxClients: *maxClients,
		quiet:      *quiet,
	}
}

// listen opens the listening socket. net.Listen does socket(2), bind(2) and
// listen(2) in one call; its error is reworded to name the failing call the
// way the stage programs do: "bind 127.0.0.1:8080: address already in use".
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp4", addr)
	var se *os.SyscallError
	if errors.As(err, &se) {
		return nil, fmt.Errorf("%s %s: %w", se.Syscall, addr, se.Err)
	}
	return ln, err
}

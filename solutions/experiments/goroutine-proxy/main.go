// Command goroutine-proxy is the Stage 4 proxy written the way most Go
// programmers would write it: net.Listen and net.Dial, and for each client
// two goroutines, one per direction, each copying with io.Copy. It takes
// the same flags and prints the same log lines as stage4-proxy (without the
// "[DEBUG] Epoll wait" line, since it has no loop of its own), and it
// half-closes and resets the way stage4-proxy does.
//
// It exists to be compared with the Stage 4 event loop. Here Go's runtime
// does the epoll part, as for the goroutine server of Stage 3, and on Linux
// io.Copy between two TCP connections moves the bytes with splice(2),
// through a pipe, so that they never enter this program's memory. So,
// unlike every stage program, it imports package net on purpose. Run it
// (built first, so that $! is the proxy's own process ID), then load it:
//
//	go build -o /tmp/goroutine-proxy ./solutions/experiments/goroutine-proxy
//	/tmp/goroutine-proxy -quiet -upstream 127.0.0.1:3000 &
//	go run ./tests/cmd/loadgen -conns 100 -pid $! -label goroutine-proxy
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
	addr       string       // host:port to listen on
	upstream   *net.TCPAddr // the server every client's bytes are relayed to
	maxClients int          // how many clients are served at once
	quiet      bool         // no per-client lines
}

func main() {
	cfg := parseFlags(os.Args[0], os.Args[1:])
	ln, err := listen(cfg.addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "[ERROR] %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("[INFO] Proxy listening on port %d, upstream %v\n", ln.Addr().(*net.TCPAddr).Port, cfg.upstream)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		// Exiting closes every socket: both sides of every pair read end
		// of file.
		fmt.Println("[INFO] Proxy shutting down")
		os.Exit(0)
	}()

	p := &proxy{config: cfg, slots: make(chan struct{}, cfg.maxClients)}
	err = p.acceptLoop(ln) // returns only when accept fails for good
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
	upstream := fs.String("upstream", "127.0.0.1:3000", "the server to relay to, as an IPv4 `address:port`")
	maxClients := fs.Int("max-clients", 10000, "most `clients` served at the same time; more are refused")
	quiet := fs.Bool("quiet", false, "print no per-client lines")
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
	up, err := netip.ParseAddrPort(*upstream)
	if err != nil || !up.Addr().Is4() || up.Port() == 0 {
		usageError("invalid value %q for flag -upstream: want an IPv4 address and a port from 1 to 65535, such as 127.0.0.1:3000", *upstream)
	}
	if *maxClients < 1 {
		usageError("invalid value %d for flag -max-clients: want 1 or more", *maxClients)
	}
	return config{
		addr:       net.JoinHostPort(*host, strconv.Itoa(*port)),
		upstream:   net.TCPAddrFromAddrPort(up),
		maxClients: *maxClients,
		quiet:      *quiet,
	}
}

// listen opens the listening socket. net.Listen does socket(2), bind(2) and
// listen(2) in one call; its error is reworded to name the failing call the
// way the stage programs do: "bind 127.0.0.1:8080: address already in use".
func listen(addr string) (*net.TCPListener, error) {
	ln, err := net.Listen("tcp4", addr)
	var se *os.SyscallError
	if errors.As(err, &se) {
		return nil, fmt.Errorf("%s %s: %w", se.Syscall, addr, se.Err)
	}
	if err != nil {
		return nil, err
	}
	return ln.(*net.TCPListener), nil
}

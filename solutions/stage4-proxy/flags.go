package main

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
)

// config is what the command line asks for.
type config struct {
	host       [4]byte        // the IPv4 address to listen on, most significant byte first
	port       int            // the TCP port to listen on; 0 lets the kernel choose one
	upstream   netip.AddrPort // the server every client's bytes are relayed to
	maxClients int            // how many clients (pairs) are served at once; more are refused
	quiet      bool           // print only the start, stop, [WARN] and [ERROR] lines
}

// parseFlags reads the command line. On a bad value it prints the problem
// and the usage to stderr and exits with status 2, as the flag package does
// for a flag it does not know.
func parseFlags(name string, args []string) config {
	// "go run" builds the program in a temporary directory: the usage
	// shows only the program's own name, not that long path.
	fs := flag.NewFlagSet(filepath.Base(name), flag.ExitOnError)
	host := fs.String("host", "127.0.0.1", "IPv4 `address` to listen on")
	port := fs.Int("port", 8080, "TCP `port` to listen on (0 lets the kernel choose)")
	upstream := fs.String("upstream", "127.0.0.1:3000", "the server to relay to, as an IPv4 `address:port`")
	maxClients := fs.Int("max-clients", 10000, "most `clients` served at the same time; more are refused")
	quiet := fs.Bool("quiet", false, "print no [DEBUG] or per-client lines")
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
	// A name such as localhost is not accepted: turning it into an
	// address is the job of DNS, which this workbook leaves alone.
	up, err := netip.ParseAddrPort(*upstream)
	if err != nil || !up.Addr().Is4() || up.Port() == 0 {
		usageError("invalid value %q for flag -upstream: want an IPv4 address and a port from 1 to 65535, such as 127.0.0.1:3000", *upstream)
	}
	if *maxClients < 1 {
		usageError("invalid value %d for flag -max-clients: want 1 or more", *maxClients)
	}
	return config{
		host:       addr.As4(),
		port:       *port,
		upstream:   up,
		maxClients: *maxClients,
		quiet:      *quiet,
	}
}

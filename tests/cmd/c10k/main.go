// Command c10k runs the C10K experiment of Stage 3 in one go: the same
// loads against several servers, side by side, on this machine. It prints
// every command as it runs it, each run's summary line, and at the end a
// Markdown table and mermaid charts ready to paste. The "C10K" section of
// stage3-epoll/README.md shows what it printed on one machine.
//
//	go run ./tests/cmd/c10k | tee c10k.txt
//
// It builds the servers and the load generator (tests/cmd/loadgen) in a
// new folder under bin/ at the top of the repository (git ignores bin/),
// and removes it at the end. Then for each run it starts a fresh server on
// a port the kernel chooses, with -quiet where the server has it, runs
// loadgen against it with -pid, and stops it. The servers, by label:
//
//	stage1     solutions/stage1-server: one client at a time
//	goroutine  solutions/experiments/goroutine-server: a goroutine per client
//	epoll      the Stage 3 server in -epoll's directory, reading and writing
//	           with unix.Read and unix.Write: c10k builds it with a stand-in
//	           for rawio.go whose rawRead and rawWrite call those two
//	epoll-raw  the same directory built as it is: with rawio.go's rawRead
//	           and rawWrite, if readFrom and flush call them
//	baseline   with -baseline DIR, the Stage 3 server in DIR, as it is
//
// The loads, by name (-loads):
//
//	N          N connections in a closed loop (loadgen -conns N)
//	NxD        N connections, each with D lines in flight (-mode pipelined -depth D)
//	idle       -idle connections that send one line each and then hold still
//
// By default c10k runs the loads 1, 100, 1000, 100x16 and idle against
// stage1, goroutine, epoll and epoll-raw: 17 runs of 10 seconds, about
// four minutes. The Stage 1 server gets only the closed loops of up to
// 100 connections. At 100 loadgen waits in vain for a first reply on the
// second connection, counts that and every connection after it as
// errors, and measures the one client served: that failure is what the
// run is there to show. Beyond 100 it would fail the same way. The Stage
// 1 server has no -quiet, so it logs every line it receives, to a pipe
// that c10k reads and throws away.
//
// Flags:
//
//	-duration D   how long each run measures, or holds its idle connections (default 10s)
//	-idle N       connections in the idle load (default 10000)
//	-epoll DIR    the Stage 3 server that epoll and epoll-raw build (default
//	              solutions/stage3-epoll; -epoll stage3-epoll measures yours)
//	-servers L    the servers to run, by label, comma-separated
//	              (default stage1,goroutine,epoll,epoll-raw)
//	-loads L      the loads, by name, comma-separated (default 1,100,1000,100x16,idle)
//	-baseline DIR add the server in DIR, labelled baseline, to compare with
//	-rounds N     make every run N times (default 1)
//
// To measure only your own server, once it passes the milestones:
//
//	go run ./tests/cmd/c10k -epoll stage3-epoll -servers epoll
//
// With -rounds, each load's runs alternate between the servers: for a
// load, every server once, then every server again, and so on. Servers
// compared that way share whatever else the machine was doing at the
// time. After the table, c10k prints how the server CPU time per request
// (and, for the idle load, the memory per connection) varied over the
// rounds, and each server's figure divided by the one it ran next to:
// baseline's with -baseline, epoll's otherwise. For example, to compare
// your changes to the solution with the solution as it was, alternately,
// five times over:
//
//	git worktree add bin/before HEAD
//	go run ./tests/cmd/c10k -servers epoll-raw -baseline bin/before/solutions/stage3-epoll -rounds 5 -loads 10,100,100x16,idle
//
// With the idle load of 10,000 connections the server and loadgen each
// hold more than 10,000 open descriptors. A Go program raises its own soft
// limit on descriptors to the hard limit when it starts, so the hard limit
// (ulimit -Hn) is the one that counts; c10k checks it before the first run
// and says how to raise it. The connections also need 10,000 local ports,
// which the default range (/proc/sys/net/ipv4/ip_local_port_range) has.
//
// The exit status is 0 when every run gave a summary line and no run had
// an error it was not expected to have, 1 otherwise, and 2 for bad flags.
package main

import (
	"flag"
	"fmt"
	"time"

	"workbook/tests/cmd/internal/experiment"
)

// options is what the command line asks for.
type options struct {
	duration time.Duration
	idle     int
	epollDir string
	servers  []string // labels
	loads    []experiment.Load
	baseline string // a directory, or ""
	rounds   int
}

func main() { experiment.Main("c10k", parseFlags, run) }

func parseFlags(args []string) (options, error) {
	var opts options
	var servers, loads string
	flag.DurationVar(&opts.duration, "duration", 10*time.Second, "how long each run measures, or holds its idle connections")
	flag.IntVar(&opts.idle, "idle", 10000, "`connections` in the idle load")
	flag.StringVar(&opts.epollDir, "epoll", "solutions/stage3-epoll", "the Stage 3 server that epoll and epoll-raw build: its `directory`")
	flag.StringVar(&servers, "servers", "stage1,goroutine,epoll,epoll-raw", "the servers to run, by `label`, comma-separated")
	flag.StringVar(&loads, "loads", "1,100,1000,100x16,idle", "the loads to run, by `name`, comma-separated: N, NxD or idle")
	flag.StringVar(&opts.baseline, "baseline", "", "also run the Stage 3 server in this `directory`, labelled baseline")
	flag.IntVar(&opts.rounds, "rounds", 1, "make every run this many `times`, alternating the servers")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "Usage: go run ./tests/cmd/c10k [flags] (see \"go doc ./tests/cmd/c10k\")")
		flag.PrintDefaults()
	}
	if err := flag.CommandLine.Parse(args); err != nil {
		return opts, err
	}
	switch {
	case flag.NArg() > 0:
		return opts, fmt.Errorf("unexpected argument %q", flag.Arg(0))
	case opts.duration <= 0:
		return opts, fmt.Errorf("invalid value %v for flag -duration: want more than 0", opts.duration)
	case opts.idle < 1:
		return opts, fmt.Errorf("invalid value %d for flag -idle: want 1 or more", opts.idle)
	case opts.rounds < 1:
		return opts, fmt.Errorf("invalid value %d for flag -rounds: want 1 or more", opts.rounds)
	}
	var err error
	if opts.servers, err = parseServers(servers, opts.baseline != ""); err != nil {
		return opts, err
	}
	if opts.loads, err = parseLoads(loads, opts.idle); err != nil {
		return opts, err
	}
	return opts, nil
}

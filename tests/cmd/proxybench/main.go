// Command proxybench runs the measured comparison of Stage 4 in one go:
// the event-loop proxy against the goroutine proxy, the two taking turns
// under the same loads, on this machine. It prints every command as it runs
// it, each run's summary line, and at the end a Markdown table of every run
// and how each figure varied from round to round. The section "Measured:
// the event loop against goroutines and splice" of stage4-proxy/README.md
// shows what it printed on one machine.
//
//	go run ./tests/cmd/proxybench | tee /tmp/proxybench.txt
//
// It builds the proxies, the upstreams and the load generator
// (tests/cmd/loadgen) in a new folder under bin/ at the top of the
// repository (git ignores bin/), and removes it at the end. Then for each
// run it starts a fresh upstream on a port the kernel chooses, a fresh
// proxy in front of it (-port 0 -quiet -upstream ...), runs loadgen
// against the proxy with -pid, so that the figures are the proxy's, and
// stops both. The proxies, by label:
//
//	epoll      the Stage 4 proxy in -proxy's directory (default the solution)
//	goroutine  solutions/experiments/goroutine-proxy: two goroutines per
//	           client, each copying one direction with io.Copy, which on
//	           Linux moves the bytes with splice(2)
//	baseline   with -baseline DIR, the Stage 4 proxy in DIR
//
// The loads, by name (-loads):
//
//	N          N clients in a closed loop (loadgen -conns N), through the
//	           proxy to the Stage 3 solution (-quiet), which reverses lines
//	NxD        the same, each client with D lines in flight (-mode pipelined -depth D)
//	download   -bulk-conns connections, each downloading -size bytes at a
//	           time from loadgen -serve through the proxy, checking every
//	           byte (loadgen -mode download)
//	upload     the same the other way (loadgen -mode upload): loadgen -serve
//	           checks every byte and says whether all arrived
//	idle       -idle clients through the proxy to the Stage 3 solution, each
//	           sending one line and then holding still (loadgen -mode idle)
//
// By default proxybench runs the loads 1000, download, upload and idle,
// three rounds each: 24 runs of 10 seconds, about five minutes. In each
// round every proxy runs once, in turn, so that proxies compared share
// whatever else the machine was doing at the time. The table shows every
// run, and the spreads after it show each figure's lowest, median and
// highest over the rounds, and each run divided by the run of the other
// proxy next to it (goroutine's, or baseline's with -baseline).
//
// To measure only your own proxy, once it passes the milestones:
//
//	go run ./tests/cmd/proxybench -proxy stage4-proxy -proxies epoll -rounds 1
//
// Flags:
//
//	-duration D    how long each run measures, or holds its idle clients (default 10s)
//	-rounds N      make every run N times, the proxies taking turns (default 3)
//	-loads L       the loads, by name, comma-separated (default 1000,download,upload,idle)
//	-proxies L     the proxies to run, by label, comma-separated (default epoll,goroutine)
//	-proxy DIR     the Stage 4 proxy labelled epoll (default solutions/stage4-proxy)
//	-baseline DIR  add the Stage 4 proxy in DIR, labelled baseline, to compare with
//	-idle N        clients in the idle load (default 3000)
//	-bulk-conns N  connections in the bulk loads (default 1)
//	-size N        bytes per bulk transfer (default 64 MiB)
//
// With -idle N, the goroutine proxy holds 6N descriptors: two sockets per
// client, and for each of its two directions a pipe, whose two ends io.Copy
// keeps for splice(2) for as long as the copy lasts. The hard limit on
// descriptors (ulimit -Hn) must allow that, and proxybench checks it
// before the first run: on a machine whose limit is 20,000, 3,000 idle
// clients fit (18,000 descriptors, and some for the process itself).
// Without the goroutine proxy, a Stage 4 proxy holds 2N, and 9,900 fit.
//
// The exit status is 0 when every run gave a summary line and no run had
// an error, 1 otherwise, and 2 for bad flags.
package main

import (
	"flag"
	"fmt"
	"time"

	"workbook/tests/cmd/internal/experiment"
)

// options is what the command line asks for.
type options struct {
	duration  time.Duration
	rounds    int
	loads     []experiment.Load
	proxies   []string // labels
	proxyDir  string
	baseline  string // a directory, or ""
	idle      int
	bulkConns int
	size      int64
}

func main() { experiment.Main("proxybench", parseFlags, run) }

func parseFlags(args []string) (options, error) {
	var opts options
	var loads, proxies string
	flag.DurationVar(&opts.duration, "duration", 10*time.Second, "how long each run measures, or holds its idle clients")
	flag.IntVar(&opts.rounds, "rounds", 3, "make every run this many `times`, the proxies taking turns")
	flag.StringVar(&loads, "loads", "1000,download,upload,idle", "the loads to run, by `name`, comma-separated: N, NxD, download, upload or idle")
	flag.StringVar(&proxies, "proxies", "epoll,goroutine", "the proxies to run, by `label`, comma-separated")
	flag.StringVar(&opts.proxyDir, "proxy", "solutions/stage4-proxy", "the Stage 4 proxy labelled epoll: its `directory`")
	flag.StringVar(&opts.baseline, "baseline", "", "also run the Stage 4 proxy in this `directory`, labelled baseline")
	flag.IntVar(&opts.idle, "idle", 3000, "`clients` in the idle load")
	flag.IntVar(&opts.bulkConns, "bulk-conns", 1, "`connections` in the bulk loads")
	flag.Int64Var(&opts.size, "size", 64<<20, "`bytes` per bulk transfer")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "Usage: go run ./tests/cmd/proxybench [flags] (see \"go doc ./tests/cmd/proxybench\")")
		flag.PrintDefaults()
	}
	if err := flag.CommandLine.Parse(args); err != nil {
		return opts, err
	}
	for _, f := range []struct {
		name  string
		value int64
	}{{"rounds", int64(opts.rounds)}, {"idle", int64(opts.idle)}, {"bulk-conns", int64(opts.bulkConns)}, {"size", opts.size}} {
		if f.value < 1 {
			return opts, fmt.Errorf("invalid value %d for flag -%s: want 1 or more", f.value, f.name)
		}
	}
	switch {
	case flag.NArg() > 0:
		return opts, fmt.Errorf("unexpected argument %q", flag.Arg(0))
	case opts.duration <= 0:
		return opts, fmt.Errorf("invalid value %v for flag -duration: want more than 0", opts.duration)
	}
	var err error
	if opts.proxies, err = parseProxies(proxies, opts.baseline != ""); err != nil {
		return opts, err
	}
	if opts.loads, err = parseLoads(loads); err != nil {
		return opts, err
	}
	return opts, nil
}

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"

	"workbook/tests/cmd/internal/experiment"
	"workbook/tests/cmd/internal/workbook"
)

// run builds the programs, makes every run, and prints the results. ok is
// false when a run went wrong in a way it should not have.
func run(opts options) (ok bool, err error) {
	root, err := workbook.Root("c10k")
	if err != nil {
		return false, err
	}
	servers, err := serversFor(opts, root)
	if err != nil {
		return false, err
	}
	if slices.ContainsFunc(opts.loads, func(l experiment.Load) bool { return l.Mode == "idle" }) {
		if err := experiment.RaiseDescriptorLimit(opts.idle+100, "the idle runs"); err != nil {
			return false, err
		}
	}

	experiment.PrintMachine()
	tmp, err := experiment.BuildFolder(root, "c10k")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	lg, err := buildAll(servers, root, tmp)
	if err != nil {
		return false, err
	}

	summaries, ok := measureAll(opts, servers, lg)
	if len(summaries) == 0 {
		return false, errors.New("no run gave a summary line")
	}
	if err := results(opts, summaries, lg); err != nil {
		return false, err
	}
	return ok, nil
}

// buildAll builds the servers and loadgen into dir, and returns loadgen.
func buildAll(servers []*server, root, dir string) (experiment.Loadgen, error) {
	fmt.Printf("Building the servers and loadgen in %s...\n", dir)
	for _, s := range servers {
		if err := build(s, dir); err != nil {
			return "", err
		}
	}
	lg, err := experiment.Build(filepath.Join(root, "tests", "cmd", "loadgen"), dir)
	return experiment.Loadgen(lg), err
}

// measureAll makes every run: for each load, every round, every server
// that takes part in it. It returns the summary lines, and ok false when a
// run went wrong in a way it should not have.
func measureAll(opts options, servers []*server, lg experiment.Loadgen) (summaries []string, ok bool) {
	// Room for every idle client, should -idle be above the servers'
	// default -max-clients.
	maxClients := max(opts.idle, 10000)
	ok = true
	for _, l := range opts.loads {
		for range opts.rounds {
			for _, s := range servers {
				if !s.runsFor(l) {
					continue
				}
				summary, good := runOne(s, l, opts, maxClients, lg)
				ok = ok && good
				if summary != "" {
					summaries = append(summaries, summary)
				}
			}
		}
	}
	return summaries, ok
}

// serversFor returns the servers opts asks for, with their directories.
func serversFor(opts options, root string) ([]*server, error) {
	epollDir, err := filepath.Abs(opts.epollDir)
	if err != nil {
		return nil, err
	}
	baseline := opts.baseline
	if baseline != "" {
		if baseline, err = filepath.Abs(baseline); err != nil {
			return nil, err
		}
	}
	known := map[string]*server{
		"stage1":    {dir: filepath.Join(root, "solutions", "stage1-server"), oneAtATime: true},
		"goroutine": {dir: filepath.Join(root, "solutions", "experiments", "goroutine-server"), stage3Flags: true},
		"baseline":  {dir: baseline, stage3Flags: true},
		"epoll":     {dir: epollDir, stage3Flags: true, syscallIO: true},
		"epoll-raw": {dir: epollDir, stage3Flags: true},
	}
	var servers []*server
	for _, label := range opts.servers {
		s := known[label]
		s.label = label
		servers = append(servers, s)
	}
	return servers, nil
}

var listening = regexp.MustCompile(`^\[INFO\] Server listening on port (\d+)$`)

// runOne makes one run of load l against a fresh s, and prints what
// happened. It returns the summary line, if there was one, and whether the
// run went as it should.
func runOne(s *server, l experiment.Load, opts options, maxClients int, lg experiment.Loadgen) (summary string, ok bool) {
	fmt.Println()
	summary, runErr, err := measure(s, maxClients, lg, l.Args(opts.duration))
	if err != nil {
		fmt.Printf("c10k: %s, %v: %v\n", s.label, l, err)
		return "", false
	}
	fmt.Println(summary)
	switch {
	case runErr == nil:
	case s.oneAtATime && l.Conns > 1:
		fmt.Printf("(As expected: %s serves one client at a time, so the others got no reply.)\n", s.label)
	default:
		fmt.Printf("c10k: %s had errors it should not have had; see loadgen's messages above\n", s.label)
		return summary, false
	}
	return summary, true
}

// measure starts s on a port the kernel chooses, with -quiet where it has
// it, runs loadgen against it with args, and stops it.
func measure(s *server, maxClients int, lg experiment.Loadgen, args []string) (summary string, runErr, err error) {
	serverArgs := []string{"-port", "0"}
	if s.stage3Flags {
		serverArgs = append(serverArgs, "-quiet")
		if maxClients != 10000 { // not the default
			serverArgs = append(serverArgs, "-max-clients", strconv.Itoa(maxClients))
		}
	}
	// The server as it lies in the build folder: label/program.
	name := filepath.Join(s.label, filepath.Base(s.bin))
	srv, port, err := experiment.Start(name, s.bin, serverArgs, listening)
	if err != nil {
		return "", nil, err
	}
	defer srv.Stop()
	args = append([]string{"-addr", fmt.Sprintf("127.0.0.1:%d", port), "-pid", strconv.Itoa(srv.Pid()), "-label", s.label}, args...)
	return lg.Run(args...)
}

// results prints the table of every run; then, after one round, the
// charts, and after several, how the figures varied from round to round.
func results(opts options, summaries []string, lg experiment.Loadgen) error {
	idle := slices.ContainsFunc(opts.loads, func(l experiment.Load) bool { return l.Mode == "idle" })
	busy := slices.ContainsFunc(opts.loads, func(l experiment.Load) bool { return l.Mode != "idle" })
	metrics := []experiment.Metric{
		{Key: "cpu_us_per_req", Show: busy, Spread: true},
		{Key: "rps", Show: busy},
		{Key: "rss_per_conn_b", Show: idle, Spread: true},
	}
	// Each figure divided by baseline's, if there is one, or else epoll's.
	return experiment.PrintResults(lg, summaries, opts.rounds, metrics, experiment.Against(opts.servers, "baseline", "epoll"))
}

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"workbook/tests/harness"
)

// experiment builds the programs, makes every run, and prints the results.
// ok is false when a run went wrong in a way it should not have.
func experiment(opts options) (ok bool, err error) {
	root, err := repositoryRoot()
	if err != nil {
		return false, err
	}
	servers, err := serversFor(opts, root)
	if err != nil {
		return false, err
	}
	if slices.ContainsFunc(opts.loads, func(l load) bool { return l.mode == "idle" }) {
		if err := checkDescriptors(opts.idle + 100); err != nil {
			return false, err
		}
	}

	printMachine()
	if err := os.MkdirAll(filepath.Join(root, "bin"), 0o755); err != nil {
		return false, err
	}
	tmp, err := os.MkdirTemp(filepath.Join(root, "bin"), "c10k-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	loadgen, err := buildAll(servers, root, tmp)
	if err != nil {
		return false, err
	}

	summaries, ok := measureAll(opts, servers, loadgen)
	if len(summaries) == 0 {
		return false, errors.New("no run gave a summary line")
	}
	if err := results(opts, servers, summaries, loadgen); err != nil {
		return false, err
	}
	return ok, nil
}

// buildAll builds the servers and loadgen into dir, and returns loadgen.
func buildAll(servers []*server, root, dir string) (loadgen string, err error) {
	fmt.Printf("Building the servers and loadgen in %s...\n", dir)
	for _, s := range servers {
		if err := build(s, dir); err != nil {
			return "", err
		}
	}
	return harness.Build(context.Background(), filepath.Join(root, "tests", "cmd", "loadgen"), dir)
}

// measureAll makes every run: for each load, every round, every server
// that takes part in it. It returns the summary lines, and ok false when a
// run went wrong in a way it should not have.
func measureAll(opts options, servers []*server, loadgen string) (summaries []string, ok bool) {
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
				summary, good := run(s, l, opts, maxClients, loadgen)
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

// run makes one run of load l against s, and prints what happened. It
// returns the summary line, if there was one, and whether the run went as
// it should.
func run(s *server, l load, opts options, maxClients int, loadgen string) (summary string, ok bool) {
	fmt.Println()
	summary, runErr, err := measure(s, maxClients, loadgen, l.args(opts.duration))
	if err != nil {
		fmt.Printf("c10k: %s, %d conns %s: %v\n", s.label, l.conns, l.mode, err)
		return "", false
	}
	fmt.Println(summary)
	switch {
	case runErr == nil:
	case s.oneAtATime && l.conns > 1:
		fmt.Printf("(As expected: %s serves one client at a time, so the others got no reply.)\n", s.label)
	default:
		fmt.Printf("c10k: %s had errors it should not have had; see loadgen's messages above\n", s.label)
		return summary, false
	}
	return summary, true
}

// results prints the table of every run; then, after one round, the
// charts, and after several, how the figures varied from round to round.
func results(opts options, servers []*server, summaries []string, loadgen string) error {
	fmt.Println()
	fmt.Println("## Results")
	fmt.Println()
	if err := loadgenOutput(loadgen, summaries, "-table", "-"); err != nil {
		return err
	}
	idle := slices.ContainsFunc(opts.loads, func(l load) bool { return l.mode == "idle" })
	busy := slices.ContainsFunc(opts.loads, func(l load) bool { return l.mode != "idle" })
	metrics := []struct {
		name   string
		show   bool
		spread bool // worth a spread over rounds
	}{
		{"cpu_us_per_req", busy, true},
		{"rps", busy, false},
		{"rss_per_conn_b", idle, true},
	}
	for _, m := range metrics {
		switch {
		case !m.show:
		case opts.rounds == 1:
			fmt.Println()
			fmt.Println("```mermaid")
			if err := loadgenOutput(loadgen, summaries, "-chart", "-", "-metric", m.name); err != nil {
				return err
			}
			fmt.Println("```")
		case m.spread:
			fmt.Println()
			fmt.Printf("%s over %d rounds:\n\n", m.name, opts.rounds)
			args := append([]string{"-spread", "-", "-metric", m.name}, against(servers)...)
			if err := loadgenOutput(loadgen, summaries, args...); err != nil {
				return err
			}
		}
	}
	return nil
}

// against returns the flags that have loadgen -spread divide each figure
// by that of the server run next to it: baseline, if there is one, or
// else epoll.
func against(servers []*server) []string {
	for _, label := range []string{"baseline", "epoll"} {
		if slices.ContainsFunc(servers, func(s *server) bool { return s.label == label }) {
			return []string{"-against", label}
		}
	}
	return nil
}

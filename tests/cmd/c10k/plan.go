package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A server is one of the programs the experiment compares.
type server struct {
	label string // its name in the summary lines
	dir   string // its main package
	// syscallIO: build it with rawio.go's helpers calling unix.Read and
	// unix.Write (see build.go).
	syscallIO bool
	// stage3Flags: it has -quiet and -max-clients, as the Stage 3 server
	// and the goroutine server do; the Stage 1 server has neither.
	stage3Flags bool
	// oneAtATime: it serves one client at a time, so a run with more than
	// one connection is expected to have errors, and one with more than
	// 100 is left out.
	oneAtATime bool
	bin        string // the built program
}

// labels are the servers -servers may name, in the order they run.
var labels = []string{"stage1", "goroutine", "baseline", "epoll", "epoll-raw"}

// parseServers reads -servers. With a baseline, it adds baseline to the
// servers named.
func parseServers(list string, baseline bool) ([]string, error) {
	named := strings.Split(list, ",")
	for _, label := range named {
		if !slices.Contains(labels, label) {
			return nil, fmt.Errorf("invalid value %q for flag -servers: %q is not one of %s", list, label, strings.Join(labels, ", "))
		}
		if label == "baseline" && !baseline {
			return nil, fmt.Errorf("invalid value %q for flag -servers: baseline needs -baseline DIR", list)
		}
	}
	if baseline {
		named = append(named, "baseline")
	}
	var servers []string
	for _, label := range labels {
		if slices.Contains(named, label) {
			servers = append(servers, label)
		}
	}
	return servers, nil
}

// A load is what loadgen is asked to do.
type load struct {
	conns int
	mode  string // loadgen's -mode: closed, pipelined or idle
	depth int    // lines in flight per connection, pipelined
}

// parseLoads reads -loads: each name is N (closed), NxD (pipelined) or
// idle (idle connections).
func parseLoads(list string, idle int) ([]load, error) {
	var loads []load
	for _, name := range strings.Split(list, ",") {
		l, err := parseLoad(name, idle)
		if err != nil {
			return nil, fmt.Errorf("invalid value %q for flag -loads: %v", list, err)
		}
		loads = append(loads, l)
	}
	return loads, nil
}

func parseLoad(name string, idle int) (load, error) {
	if name == "idle" {
		return load{conns: idle, mode: "idle"}, nil
	}
	conns, depth, pipelined := strings.Cut(name, "x")
	n, err := strconv.Atoi(conns)
	if err != nil || n < 1 {
		return load{}, fmt.Errorf("%q: want N, NxD or idle, with numbers of 1 or more", name)
	}
	if !pipelined {
		return load{conns: n, mode: "closed"}, nil
	}
	d, err := strconv.Atoi(depth)
	if err != nil || d < 1 {
		return load{}, fmt.Errorf("%q: want N, NxD or idle, with numbers of 1 or more", name)
	}
	return load{conns: n, mode: "pipelined", depth: d}, nil
}

// args returns loadgen's flags for l, less -addr, -pid and -label.
func (l load) args(duration time.Duration) []string {
	args := []string{"-conns", strconv.Itoa(l.conns)}
	switch l.mode {
	case "pipelined":
		args = append(args, "-mode", "pipelined", "-depth", strconv.Itoa(l.depth))
	case "idle":
		args = append(args, "-mode", "idle")
	}
	return append(args, "-duration", duration.String())
}

// runsFor reports whether s takes part in load l: every server does,
// except the Stage 1 server, which gets only the closed loops of up to 100
// connections (beyond that it fails as it does at 100).
func (s *server) runsFor(l load) bool {
	return !s.oneAtATime || (l.mode == "closed" && l.conns <= 100)
}

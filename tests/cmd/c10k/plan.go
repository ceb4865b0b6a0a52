package main

import (
	"workbook/tests/cmd/internal/experiment"
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
	return experiment.ParseLabels("servers", list, labels, baseline)
}

// parseLoads reads -loads: each name is N (closed), NxD (pipelined) or
// idle (idle connections).
func parseLoads(list string, idle int) ([]experiment.Load, error) {
	return experiment.ParseLoads(list, map[string]experiment.Load{"idle": {Conns: idle, Mode: "idle"}})
}

// runsFor reports whether s takes part in load l: every server does,
// except the Stage 1 server, which gets only the closed loops of up to 100
// connections (beyond that it fails as it does at 100).
func (s *server) runsFor(l experiment.Load) bool {
	return !s.oneAtATime || (l.Mode == "closed" && l.Conns <= 100)
}

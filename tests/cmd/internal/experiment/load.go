package experiment

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A Load is what loadgen is asked to do in a run.
type Load struct {
	Conns int
	Mode  string // loadgen's -mode: closed, pipelined, idle, download or upload
	Depth int    // lines in flight per connection, pipelined
	Size  int64  // loadgen's -size, or 0 for its default
}

// ParseLoads reads a list of loads, comma-separated: each is N (N
// connections in a closed loop), NxD (N connections, each with D lines in
// flight) or one of the names in named.
func ParseLoads(list string, named map[string]Load) ([]Load, error) {
	var loads []Load
	for _, name := range strings.Split(list, ",") {
		l, err := parseLoad(name, named)
		if err != nil {
			return nil, fmt.Errorf("invalid value %q for flag -loads: %v", list, err)
		}
		loads = append(loads, l)
	}
	return loads, nil
}

func parseLoad(name string, named map[string]Load) (Load, error) {
	if l, ok := named[name]; ok {
		return l, nil
	}
	bad := fmt.Errorf("%q: want N, NxD (numbers of 1 or more) or %s", name, strings.Join(slices.Sorted(maps.Keys(named)), ", "))
	conns, depth, pipelined := strings.Cut(name, "x")
	n, err := strconv.Atoi(conns)
	if err != nil || n < 1 {
		return Load{}, bad
	}
	if !pipelined {
		return Load{Conns: n, Mode: "closed"}, nil
	}
	d, err := strconv.Atoi(depth)
	if err != nil || d < 1 {
		return Load{}, bad
	}
	return Load{Conns: n, Mode: "pipelined", Depth: d}, nil
}

// Args returns loadgen's flags for l, less -addr, -pid and -label.
func (l Load) Args(duration time.Duration) []string {
	args := []string{"-conns", strconv.Itoa(l.Conns)}
	if l.Mode != "closed" {
		args = append(args, "-mode", l.Mode)
	}
	if l.Mode == "pipelined" {
		args = append(args, "-depth", strconv.Itoa(l.Depth))
	}
	if l.Size > 0 {
		args = append(args, "-size", strconv.FormatInt(l.Size, 10))
	}
	return append(args, "-duration", duration.String())
}

// Bulk reports whether l is one of loadgen's bulk modes.
func (l Load) Bulk() bool { return l.Mode == "download" || l.Mode == "upload" }

// String describes l for a message: "100 conns closed".
func (l Load) String() string { return fmt.Sprintf("%d conns %s", l.Conns, l.Mode) }

package main

import (
	"path/filepath"
	"regexp"

	"workbook/tests/cmd/internal/experiment"
)

// A proxy is one of the programs the experiment compares.
type proxy struct {
	label string // its name in the summary lines
	dir   string // its main package
	bin   string // the built program
}

// labels are the proxies -proxies may name, in the order they run.
var labels = []string{"goroutine", "baseline", "epoll"}

// parseProxies reads -proxies. With a baseline, it adds baseline to the
// proxies named.
func parseProxies(list string, baseline bool) ([]string, error) {
	return experiment.ParseLabels("proxies", list, labels, baseline)
}

// parseLoads reads -loads: N, NxD, download, upload or idle. The bulk
// loads get their connections and size from the other flags later
// (withFlags).
func parseLoads(list string) ([]experiment.Load, error) {
	return experiment.ParseLoads(list, map[string]experiment.Load{
		"download": {Mode: "download"},
		"upload":   {Mode: "upload"},
		"idle":     {Mode: "idle"},
	})
}

// withFlags returns l with what -idle, -bulk-conns and -size say.
func withFlags(l experiment.Load, opts options) experiment.Load {
	switch {
	case l.Mode == "idle":
		l.Conns = opts.idle
	case l.Bulk():
		l.Conns, l.Size = opts.bulkConns, opts.size
	}
	return l
}

// proxiesFor returns the proxies opts asks for, with their directories.
func proxiesFor(opts options, root string) ([]*proxy, error) {
	dirs := map[string]string{
		"goroutine": filepath.Join(root, "solutions", "experiments", "goroutine-proxy"),
		"baseline":  opts.baseline,
		"epoll":     opts.proxyDir,
	}
	var proxies []*proxy
	for _, label := range opts.proxies {
		dir, err := filepath.Abs(dirs[label])
		if err != nil {
			return nil, err
		}
		proxies = append(proxies, &proxy{label: label, dir: dir})
	}
	return proxies, nil
}

// The listening lines of the programs a run starts, each with the port.
var (
	proxyListening  = regexp.MustCompile(`^\[INFO\] Proxy listening on port (\d+), upstream \S+$`)
	serverListening = regexp.MustCompile(`^\[INFO\] Server listening on port (\d+)$`)
	bulkListening   = regexp.MustCompile(`^\[INFO\] Bulk server listening on port (\d+)$`)
)

// An upstream is the program that a load needs behind the proxy.
type upstream struct {
	name      string // how the commands printed show it
	bin       string
	args      []string
	listening *regexp.Regexp
}

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"workbook/tests/cmd/internal/experiment"
	"workbook/tests/cmd/internal/workbook"
)

// descriptorsPerIdleClient returns the most descriptors that an idle
// client costs any of the programs a run starts: 6 in the goroutine proxy
// (its two sockets, and a pipe, two descriptors, for each of its two
// io.Copy calls), or else 2, in a Stage 4 proxy.
func descriptorsPerIdleClient(opts options) int {
	if slices.Contains(opts.proxies, "goroutine") {
		return 6
	}
	return 2
}

// run builds the programs, makes every run, and prints the results. ok is
// false when a run went wrong.
func run(opts options) (ok bool, err error) {
	root, err := workbook.Root("proxybench")
	if err != nil {
		return false, err
	}
	proxies, err := proxiesFor(opts, root)
	if err != nil {
		return false, err
	}
	if slices.ContainsFunc(opts.loads, func(l experiment.Load) bool { return l.Mode == "idle" }) {
		perClient := descriptorsPerIdleClient(opts)
		err := experiment.RaiseDescriptorLimit(perClient*opts.idle+100, fmt.Sprintf("the idle runs (%d per client in a proxy)", perClient))
		if err != nil {
			return false, err
		}
	}

	experiment.PrintMachine()
	tmp, err := experiment.BuildFolder(root, "proxybench")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	fmt.Printf("Building the proxies, the Stage 3 server and loadgen in %s...\n", tmp)
	for _, p := range proxies {
		if p.bin, err = experiment.Build(p.dir, filepath.Join(tmp, p.label)); err != nil {
			return false, err
		}
	}
	reverser, err := experiment.Build(filepath.Join(root, "solutions", "stage3-epoll"), filepath.Join(tmp, "upstream"))
	if err != nil {
		return false, err
	}
	lg, err := experiment.Build(filepath.Join(root, "tests", "cmd", "loadgen"), tmp)
	if err != nil {
		return false, err
	}

	summaries, ok := measureAll(opts, proxies, reverser, experiment.Loadgen(lg))
	if len(summaries) == 0 {
		return false, errors.New("no run gave a summary line")
	}
	if err := results(opts, summaries, experiment.Loadgen(lg)); err != nil {
		return false, err
	}
	return ok, nil
}

// measureAll makes every run: for each load, every round, every proxy. It
// returns the summary lines, and ok false when a run went wrong.
func measureAll(opts options, proxies []*proxy, reverser string, lg experiment.Loadgen) (summaries []string, ok bool) {
	ok = true
	for _, l := range opts.loads {
		l = withFlags(l, opts)
		up := upstreamFor(l, opts, reverser, lg)
		for range opts.rounds {
			for _, p := range proxies {
				fmt.Println()
				summary, runErr, err := measure(p, up, l, opts, lg)
				switch {
				case err != nil:
					fmt.Printf("proxybench: %s, %v: %v\n", p.label, l, err)
					ok = false
					continue
				case runErr != nil:
					fmt.Printf("proxybench: %s had errors; see loadgen's messages above\n", p.label)
					ok = false
				}
				fmt.Println(summary)
				summaries = append(summaries, summary)
			}
		}
	}
	return summaries, ok
}

// upstreamFor returns the upstream that load l needs: loadgen -serve for
// the bulk loads, and the Stage 3 server for the others, with room for
// every idle client.
func upstreamFor(l experiment.Load, opts options, reverser string, lg experiment.Loadgen) upstream {
	if l.Bulk() {
		return upstream{"loadgen", string(lg), []string{"-serve", "-addr", "127.0.0.1:0"}, bulkListening}
	}
	args := []string{"-port", "0", "-quiet"}
	args = append(args, maxClients(opts)...)
	return upstream{"upstream/stage3-epoll", reverser, args, serverListening}
}

// maxClients returns the -max-clients flag that the idle load needs, if it
// is above the programs' default of 10,000.
func maxClients(opts options) []string {
	if opts.idle <= 10000 {
		return nil
	}
	return []string{"-max-clients", strconv.Itoa(opts.idle)}
}

// measure starts a fresh up and a fresh p in front of it, runs loadgen
// against p with l, and stops them both.
func measure(p *proxy, up upstream, l experiment.Load, opts options, lg experiment.Loadgen) (summary string, runErr, err error) {
	u, upPort, err := experiment.Start(up.name, up.bin, up.args, up.listening)
	if err != nil {
		return "", nil, err
	}
	defer u.Stop()
	args := []string{"-port", "0", "-quiet", "-upstream", fmt.Sprintf("127.0.0.1:%d", upPort)}
	args = append(args, maxClients(opts)...)
	// The proxy as it lies in the build folder: label/program.
	px, port, err := experiment.Start(filepath.Join(p.label, filepath.Base(p.bin)), p.bin, args, proxyListening)
	if err != nil {
		return "", nil, err
	}
	defer px.Stop()
	lgArgs := []string{"-addr", fmt.Sprintf("127.0.0.1:%d", port), "-pid", strconv.Itoa(px.Pid()), "-label", p.label}
	return lg.Run(append(lgArgs, l.Args(opts.duration)...)...)
}

// results prints the table of every run; then, after one round, the
// charts, and after several, how the figures varied from round to round.
func results(opts options, summaries []string, lg experiment.Loadgen) error {
	has := func(match func(experiment.Load) bool) bool { return slices.ContainsFunc(opts.loads, match) }
	lines := has(func(l experiment.Load) bool { return l.Mode == "closed" || l.Mode == "pipelined" })
	bulk := has(experiment.Load.Bulk)
	idle := has(func(l experiment.Load) bool { return l.Mode == "idle" })
	metrics := []experiment.Metric{
		{Key: "cpu_us_per_req", Show: lines, Spread: true},
		{Key: "rps", Show: lines},
		{Key: "cpu_ms_per_gb", Show: bulk, Spread: true},
		{Key: "mb_per_s", Show: bulk, Spread: true},
		{Key: "rss_per_conn_b", Show: idle, Spread: true},
	}
	// Each figure divided by baseline's, if there is one, or else the
	// goroutine proxy's.
	return experiment.PrintResults(lg, summaries, opts.rounds, metrics, experiment.Against(opts.proxies, "baseline", "goroutine"))
}

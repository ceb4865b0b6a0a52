package main

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// metricTitles names the summary keys a chart can show, with a default
// title for each.
var metricTitles = map[string]string{
	"rps":                   "Requests per second",
	"p50_us":                "Median latency (µs)",
	"p99_us":                "99th percentile latency (µs)",
	"max_us":                "Longest latency (µs)",
	"errors":                "Errors",
	"cpu_us_per_req":        "Server CPU time per request (µs)",
	"client_cpu_us_per_req": "Load generator CPU time per request (µs)",
	"rss_kib":               "Server memory, VmRSS (KiB)",
	"rss_per_conn_b":        "Server memory per connection (bytes)",
	"mb_per_s":              "Throughput (MB/s)",
	"cpu_ms_per_gb":         "Server CPU time per GB (ms)",
	"client_cpu_ms_per_gb":  "Load generator CPU time per GB (ms)",
}

// chart reads summary lines from in (other lines are skipped, so a whole
// log will do) and writes a mermaid xychart-beta with one bar per run that
// measured metric. Each bar is named after what differs between the runs:
// the label, the connections and the mode.
func chart(w io.Writer, in io.Reader, metric, title string) error {
	if _, ok := metricTitles[metric]; !ok {
		return fmt.Errorf("-metric %q: want one of %s", metric, strings.Join(chartMetrics(), ", "))
	}
	all, err := readSummaries(in)
	if err != nil {
		return err
	}
	var runs []map[string]string
	for _, f := range all {
		if _, err := strconv.ParseFloat(valueOf(f, metric), 64); err == nil {
			runs = append(runs, f)
		}
	}
	if len(runs) == 0 {
		return fmt.Errorf("no summary line with a value for %s", metric)
	}

	varies := func(name func(map[string]string) string) bool {
		for _, f := range runs[1:] {
			if name(f) != name(runs[0]) {
				return true
			}
		}
		return false
	}
	showLabel := varies(labelOf)
	showLoad := varies(loadOf) || !showLabel
	var names, values []string
	for _, f := range runs {
		var parts []string
		if showLabel {
			parts = append(parts, labelOf(f))
		}
		if showLoad {
			parts = append(parts, loadOf(f))
		}
		names = append(names, quote(strings.Join(parts, " ")))
		values = append(values, f[metric])
	}
	fmt.Fprintln(w, "xychart-beta")
	fmt.Fprintf(w, "    title %s\n", quote(cmp.Or(title, metricTitles[metric])))
	fmt.Fprintf(w, "    x-axis [%s]\n", strings.Join(names, ", "))
	fmt.Fprintf(w, "    y-axis %s\n", quote(metric))
	fmt.Fprintf(w, "    bar [%s]\n", strings.Join(values, ", "))
	return nil
}

// readSummaries returns the summary lines in in, parsed, skipping every
// other line.
func readSummaries(in io.Reader) ([]map[string]string, error) {
	var runs []map[string]string
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if f, ok := parseSummary(sc.Text()); ok {
			runs = append(runs, f)
		}
	}
	return runs, sc.Err()
}

func labelOf(f map[string]string) string { return f["label"] }

// valueOf returns the value of key in a run, as the summary line shows it,
// or notMeasured. The memory per connection counts for idle runs only:
// there it is what an idle client costs, while in a busy run it mixes in
// what the server grows for the load itself, and divided by one
// connection it means nothing.
func valueOf(f map[string]string, key string) string {
	if key == "rss_per_conn_b" && f["mode"] != modeIdle {
		return notMeasured
	}
	return cmp.Or(f[key], notMeasured)
}

// loadOf describes the load of a run: "100 conns", "100 conns x16" when
// pipelined, "10000 idle", "4 conns download".
func loadOf(f map[string]string) string {
	switch f["mode"] {
	case modeIdle:
		return f["conns"] + " idle"
	case modeDownload, modeUpload:
		return f["conns"] + " conns " + f["mode"]
	case modePipelined:
		return f["conns"] + " conns x" + f["depth"]
	}
	return f["conns"] + " conns"
}

// quote returns s as a mermaid string: in double quotes, which it cannot
// escape, so any inside become single quotes.
func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `'`) + `"`
}

// chartMetrics returns the keys -metric accepts, in summary-line order.
func chartMetrics() []string {
	var m []string
	for _, k := range keys {
		if _, ok := metricTitles[k]; ok {
			m = append(m, k)
		}
	}
	return m
}

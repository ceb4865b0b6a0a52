package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// tableColumns are the columns of -table after the run's name: the
// summary keys worth comparing side by side, with their headings.
var tableColumns = []struct{ key, head string }{
	{"rps", "requests/s"},
	{"p50_us", "p50 µs"},
	{"p99_us", "p99 µs"},
	{"errors", "errors"},
	{"cpu_us_per_req", "server CPU µs/req"},
	{"client_cpu_us_per_req", "loadgen CPU µs/req"},
	{"rss_kib", "server VmRSS KiB"},
	{"rss_per_conn_b", "VmRSS B/idle conn"},
	{"mb_per_s", "MB/s"},
	{"cpu_ms_per_gb", "server CPU ms/GB"},
	{"client_cpu_ms_per_gb", "loadgen CPU ms/GB"},
}

// table reads summary lines from in (other lines are skipped, as for a
// chart) and writes them as a Markdown table, one row per run, named by
// its label and its load. The memory per connection is shown for idle runs
// only (see valueOf). A column that no run measured is left out: the bulk
// modes' columns from a table of line modes, and the reverse.
func table(w io.Writer, in io.Reader) error {
	runs, err := readSummaries(in)
	if err != nil {
		return err
	}
	if len(runs) == 0 {
		return fmt.Errorf("no summary line")
	}
	heads := []string{"server", "load"}
	aligns := []string{"---", "---"}
	var keys []string
	for _, c := range tableColumns {
		if !slices.ContainsFunc(runs, func(f map[string]string) bool { return valueOf(f, c.key) != notMeasured }) {
			continue
		}
		keys = append(keys, c.key)
		heads = append(heads, c.head)
		aligns = append(aligns, "---:") // numbers, right-aligned
	}
	row := func(cells []string) {
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	row(heads)
	row(aligns)
	for _, f := range runs {
		cells := []string{labelOf(f), loadOf(f)}
		for _, k := range keys {
			cells = append(cells, valueOf(f, k))
		}
		row(cells)
	}
	return nil
}

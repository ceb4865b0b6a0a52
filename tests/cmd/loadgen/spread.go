package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// spread reads summary lines from in (other lines are skipped, as for a
// chart) and writes a Markdown table of how much metric varied over runs
// repeated with the same label and load: one row per label and load, in
// the order they first appear, with the number of runs and the lowest,
// median and highest value.
//
// With against, each row also gets the same three figures for the ratio
// of its runs to the runs labelled against under the same load, taken in
// pairs: the first run with the first, the second with the second. Runs
// made in alternation (against, then the others, and again) pair up with
// their neighbours in time, so the ratio cancels most of what a busy
// machine does to both.
func spread(w io.Writer, in io.Reader, metric, against string) error {
	all, err := readSummaries(in)
	if err != nil {
		return err
	}
	groups, byKey := groupRuns(all, metric)
	if len(groups) == 0 {
		return fmt.Errorf("no summary line with a value for %s", metric)
	}
	heads := []string{"server", "load", "runs", "lowest", "median", "highest"}
	if against != "" {
		heads = append(heads, "÷ "+against+": lowest", "median", "highest")
	}
	row := func(cells ...string) {
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	row(heads...)
	row(append([]string{"---", "---"}, slices.Repeat([]string{"---:"}, len(heads)-2)...)...)
	for _, g := range groups {
		cells := append([]string{g.label, g.load, strconv.Itoa(len(g.values))}, lowMedianHigh(g.values)...)
		if against != "" {
			var ratios []float64
			if base := byKey[groupKey(against, g.load)]; base != nil {
				for i := range min(len(g.values), len(base.values)) {
					if base.values[i] != 0 {
						ratios = append(ratios, g.values[i]/base.values[i])
					}
				}
			}
			cells = append(cells, lowMedianHigh(ratios)...)
		}
		row(cells...)
	}
	return nil
}

// A runGroup is the runs with the same label and load, and the values of
// one metric that they measured, in order.
type runGroup struct {
	label, load string
	values      []float64
}

// groupRuns gathers the runs that measured metric into groups, in the
// order each group first appears, and indexes them by groupKey.
func groupRuns(runs []map[string]string, metric string) ([]*runGroup, map[string]*runGroup) {
	var groups []*runGroup
	byKey := map[string]*runGroup{}
	for _, f := range runs {
		v, err := strconv.ParseFloat(valueOf(f, metric), 64)
		if err != nil {
			continue // not measured in this run
		}
		key := groupKey(labelOf(f), loadOf(f))
		g := byKey[key]
		if g == nil {
			g = &runGroup{label: labelOf(f), load: loadOf(f)}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.values = append(g.values, v)
	}
	return groups, byKey
}

func groupKey(label, load string) string { return label + "\x00" + load }

// lowMedianHigh returns the lowest, median and highest of values, to two
// decimals, or three notMeasured when there are none. The median of an
// even number of values is the mean of the middle two.
func lowMedianHigh(values []float64) []string {
	if len(values) == 0 {
		return []string{notMeasured, notMeasured, notMeasured}
	}
	v := slices.Sorted(slices.Values(values))
	n := len(v)
	median := (v[(n-1)/2] + v[n/2]) / 2
	format := func(x float64) string { return strconv.FormatFloat(math.Round(x*100)/100, 'f', -1, 64) }
	return []string{format(v[0]), format(median), format(v[n-1])}
}

package experiment

import "fmt"

// A Metric is a summary key that the results show after the table.
type Metric struct {
	Key  string // loadgen's summary key, such as cpu_us_per_req
	Show bool   // some run measured it
	// Spread: worth a spread over rounds; a metric that is not is shown
	// only as a chart, after a single round.
	Spread bool
}

// PrintResults prints the table of every run; then, after one round, a
// chart of each metric shown, and after several, how each metric worth a
// spread varied from round to round, divided by the runs labelled against
// too, unless against is "".
func PrintResults(lg Loadgen, summaries []string, rounds int, metrics []Metric, against string) error {
	fmt.Println()
	fmt.Println("## Results")
	fmt.Println()
	if err := lg.Output(summaries, "-table", "-"); err != nil {
		return err
	}
	for _, m := range metrics {
		switch {
		case !m.Show:
		case rounds == 1:
			fmt.Println()
			fmt.Println("```mermaid")
			if err := lg.Output(summaries, "-chart", "-", "-metric", m.Key); err != nil {
				return err
			}
			fmt.Println("```")
		case m.Spread:
			fmt.Println()
			fmt.Printf("%s over %d rounds:\n\n", m.Key, rounds)
			args := []string{"-spread", "-", "-metric", m.Key}
			if against != "" {
				args = append(args, "-against", against)
			}
			if err := lg.Output(summaries, args...); err != nil {
				return err
			}
		}
	}
	return nil
}

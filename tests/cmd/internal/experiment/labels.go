package experiment

import (
	"fmt"
	"slices"
	"strings"
)

// ParseLabels reads a list of programs by label, comma-separated, from
// the flag named flagName, and returns them in the order of labels, which
// are all the labels there are. With a baseline, it adds "baseline" to
// the labels named; without one, "baseline" is an error.
func ParseLabels(flagName, list string, labels []string, baseline bool) ([]string, error) {
	named := strings.Split(list, ",")
	for _, label := range named {
		if !slices.Contains(labels, label) {
			return nil, fmt.Errorf("invalid value %q for flag -%s: %q is not one of %s", list, flagName, label, strings.Join(labels, ", "))
		}
		if label == "baseline" && !baseline {
			return nil, fmt.Errorf("invalid value %q for flag -%s: baseline needs -baseline DIR", list, flagName)
		}
	}
	if baseline {
		named = append(named, "baseline")
	}
	var chosen []string
	for _, label := range labels {
		if slices.Contains(named, label) {
			chosen = append(chosen, label)
		}
	}
	return chosen, nil
}

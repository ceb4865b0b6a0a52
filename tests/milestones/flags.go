package milestones

import (
	"strings"

	"workbook/tests/harness"
)

// expectBadFlags starts the program once with each set of arguments and
// checks that it rejects them as the flag package does (and as each stage's
// flags.go says): the usage on stderr, nothing on stdout, and exit status 2.
// step is the Step to revisit.
func expectBadFlags(t *T, step int, argSets ...[]string) {
	for _, args := range argSets {
		t.Notef("starting with %s", strings.Join(args, " "))
		p := t.Start(args...)
		t.ExpectExit(p, 2, step)
		stderr := strings.Join(p.Output(harness.Stderr), "\n")
		if !strings.Contains(stderr, "Usage") {
			t.Fail(Failure{Summary: "a bad flag should print the usage to stderr", Sent: strings.Join(args, " "), Want: "Usage of …", Got: stderr})
		}
		if out := p.Output(harness.Stdout); len(out) > 0 {
			t.Fail(Failure{Summary: "a bad flag should print nothing to stdout", Sent: strings.Join(args, " "), Want: []string(nil), Got: out})
		}
	}
}

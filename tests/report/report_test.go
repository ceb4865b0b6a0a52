package report

import (
	"strings"
	"testing"
	"time"

	"workbook/tests/harness"
	"workbook/tests/milestones"
)

func TestAnchor(t *testing.T) {
	tests := map[string]string{
		"Step 4: Read and answer lines":     "step-4-read-and-answer-lines",
		"Step 2: Bind and listen":           "step-2-bind-and-listen",
		"Step 6: Don't block: EAGAIN & co.": "step-6-dont-block-eagain--co",
	}
	for heading, want := range tests {
		if got := Anchor(heading); got != want {
			t.Errorf("Anchor(%q) = %q, want %q", heading, got, want)
		}
	}
}

// TestFailureTellsTheWholeStory checks that a failure shows everything a
// learner needs to act on it: which check, what was sent, expected and
// actual values with a diff, the last lines the program printed, a hint
// naming the Step, and a command to reproduce it.
func TestFailureTellsTheWholeStory(t *testing.T) {
	st := &milestones.Stage{Number: 1, Dir: "stage1-server", Steps: []string{"Create a socket", "Bind and listen"}}
	res := milestones.Result{
		Check: &milestones.Check{
			ID: "M2", Kind: milestones.Milestone, Title: "reverses lines", Step: 2,
			Hint:  "the default hint",
			Repro: []string{"{run}", "printf 'hello\\n' | nc -N 127.0.0.1 8080"},
		},
		Status: milestones.Failed,
		Failure: &milestones.Failure{
			Summary: "client 1 got a wrong reply",
			Sent:    "hello\n",
			Want:    []string{"[INFO] a", "[WARN] …", "[INFO] c"},
			Got:     []string{"[INFO] a", "[WARN] anything", "[INFO] x"},
			Hint:    "reverse the text before the terminator",
		},
		Events: []harness.Event{
			{At: time.Millisecond, Who: harness.Stdout, Dir: harness.Out, Text: "[INFO] Server listening on port 8080"},
			{At: 2 * time.Millisecond, Who: "client 1", Dir: harness.In, Text: "hello\n"},
			{At: 3 * time.Millisecond, Who: harness.Stdout, Dir: harness.Out, Text: "evil\x1b[2J"},
		},
	}
	var b strings.Builder
	Line(&b, res, Style{})
	Failure(&b, res, Details{Stage: st, Run: "go run ./stage1-server"}, Style{})
	out := b.String()
	for _, want := range []string{
		"FAIL Milestone 2: reverses lines",
		"client 1 got a wrong reply",
		`sent:     "hello\n"`,
		"hint: reverse the text before the terminator",
		`revisit: Step 2, "Bind and listen", in stage1-server/README.md#step-2-bind-and-listen`,
		"$ go run ./stage1-server",
		"$ printf 'hello\\n' | nc -N 127.0.0.1 8080",
		"[INFO] Server listening on port 8080",
		`client 1 → "hello\n"`,
		`"evil\x1b[2J"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the failure text lacks %q:\n%s", want, out)
		}
	}
	// go-cmp varies its diff's spacing on purpose, so look at the marks only.
	diffLines := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && (l[0] == '-' || l[0] == '+') {
			diffLines[strings.TrimSpace(strings.TrimLeft(l[1:], " \t\u00a0"))] = l[:1]
		}
	}
	if diffLines[`"[INFO] c",`] != "-" || diffLines[`"[INFO] x",`] != "+" {
		t.Errorf("the diff does not mark the expected line with - and the actual one with +:\n%s", out)
	}
	if _, ok := diffLines[`"[WARN] anything",`]; ok {
		t.Errorf("a line matching its \"…\" pattern is shown as a difference:\n%s", out)
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("plain text holds an escape byte:\n%q", out)
	}
}

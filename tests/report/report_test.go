package report

import (
	"os"
	"path/filepath"
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

// TestMachineLimitHasNoRepro checks that a failure that is not the
// program's (NoStep: the check ran out of descriptors) names no Step and
// offers no commands to reproduce it by hand: there is nothing of the
// learner's to try.
func TestMachineLimitHasNoRepro(t *testing.T) {
	st := &milestones.Stage{Number: 3, Dir: "stage3-epoll", Steps: []string{"Create a socket"}}
	res := milestones.Result{
		Check:  &milestones.Check{ID: "C1", Title: "a thousand clients", Step: 1, Repro: []string{"{run}"}},
		Status: milestones.Failed,
		Failure: &milestones.Failure{
			Summary: "the check itself could not open a socket for a client",
			Hint:    "Raise the limit on open files in your shell",
			Step:    milestones.NoStep,
		},
	}
	var b strings.Builder
	Failure(&b, res, Details{Stage: st, Run: "go run ./stage3-epoll"}, Style{})
	out := b.String()
	for _, unwanted := range []string{"revisit:", "try it by hand", "$ go run ./stage3-epoll"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("a failure of the machine's shows %q:\n%s", unwanted, out)
		}
	}
	if !strings.Contains(out, "hint: Raise the limit") {
		t.Errorf("the failure lacks its hint:\n%s", out)
	}
}

// TestForTerminal checks when the output gets colour, symbols and
// redrawing: on a real terminal only, and there only when neither TERM=dumb
// nor NO_COLOR asks for plain text. /dev/null is a character device, but
// not a terminal.
func TestForTerminal(t *testing.T) {
	control, terminal, err := harness.OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer control.Close()
	defer terminal.Close()
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	pipeR, pipeW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pipeR.Close()
	defer pipeW.Close()
	for _, tc := range []struct {
		name      string
		f         *os.File
		term, no  string
		wantFancy bool
	}{
		{"a terminal", terminal, "xterm-256color", "", true},
		{"a terminal, NO_COLOR=1", terminal, "xterm-256color", "1", false},
		{"a terminal, TERM=dumb", terminal, "dumb", "", false},
		{"/dev/null", devNull, "xterm-256color", "", false},
		{"a pipe", pipeW, "xterm-256color", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("TERM", tc.term)
			t.Setenv("NO_COLOR", tc.no)
			want := Style{Color: tc.wantFancy, Terminal: tc.wantFancy}
			if got := ForTerminal(tc.f); got != want {
				t.Errorf("ForTerminal = %+v, want %+v", got, want)
			}
		})
	}
}

// TestTranscriptCutsLongOutputLines checks that a line of 100 KB that the
// program printed is shown by its start and its size, like a long line
// sent to it, and is never cut inside a character.
func TestTranscriptCutsLongOutputLines(t *testing.T) {
	tr := harness.NewTranscript()
	long := strings.Repeat("é", 50<<10) // 100 KB
	tr.Add(harness.Stdout, harness.Out, long)
	tr.Add("server stderr", harness.Out, "short")
	for _, s := range []Style{{}, {Color: true, Terminal: true}} {
		out := Transcript(tr.Events(), s)
		if len(out) > 500 {
			t.Errorf("the transcript of one long line and a short one is %d bytes long:\n%.300s", len(out), out)
		}
		mark := "... (102400 bytes in all)"
		if s.Color {
			mark = "… (102400 bytes in all)"
		}
		if !strings.Contains(out, "éé"+mark) || !strings.Contains(out, "short") {
			t.Errorf("with %+v the transcript lacks the line's start, followed by %q, or the short line:\n%s", s, mark, out)
		}
		if !s.Color && strings.Contains(out, "…") {
			t.Errorf("plain text holds a \"…\":\n%s", out)
		}
	}
}

// TestDeadlineFailureNamesTheScale checks that a failure whose deadline
// passed says how to give a slow machine more time, once in a run, and
// that other failures do not.
func TestDeadlineFailureNamesTheScale(t *testing.T) {
	st := &milestones.Stage{Number: 1, Dir: "stage1-server"}
	fail := func(summary string) milestones.Result {
		return milestones.Result{
			Check:   &milestones.Check{ID: "M2", Kind: milestones.Milestone, Title: "reverses lines"},
			Status:  milestones.Failed,
			Failure: &milestones.Failure{Summary: summary},
		}
	}
	const advice = "on a slow machine, set WORKBOOK_TIMEOUT_SCALE=3"
	for summary, want := range map[string]bool{
		"client 1 got no reply within 10s":                                                                    true,
		"the server printed nothing within 30s, and is still running":                                         true,
		"the program was still running 1m0s later; it should have ended with exit status 0":                   true,
		"the server was still running 10s after SIGTERM":                                                      true,
		"a client was still sending after 1m30s":                                                              true,
		"client 1 got a wrong reply":                                                                          false,
		"with nothing to do, the server went round its loop 40 times and used 2.5s of CPU in 300ms: it spins": false,
		"the program ended (exit status 1) before printing the expected line":                                 false,
	} {
		var b strings.Builder
		Failure(&b, fail(summary), Details{Stage: st}, Style{})
		if got := strings.Contains(b.String(), advice); got != want {
			t.Errorf("%q: the advice shown is %v, want %v:\n%s", summary, got, want, b.String())
		}
	}
	var b strings.Builder
	d := Details{Stage: st, Said: &Said{}}
	Failure(&b, fail("client 1 got no reply within 10s"), d, Style{})
	Failure(&b, fail("client 2 got no reply within 10s"), d, Style{})
	if n := strings.Count(b.String(), advice); n != 1 {
		t.Errorf("two failures in one run give the advice %d times, want once:\n%s", n, b.String())
	}
}

// TestBuildErrorNamesFilesAsTheLearnerKnowsThem checks that a compile
// error names its file from the repository root (or as the learner gave
// it), not from the stage's folder where go build ran, and keeps the Step.
func TestBuildErrorNamesFilesAsTheLearnerKnowsThem(t *testing.T) {
	dir := t.TempDir()
	src := "package main\n\n// TODO(step 2): bind\nfunc main() {\n\tundefinedThing()\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "server.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	st := &milestones.Stage{Number: 1, Dir: "stage1-server", Steps: []string{"Create a socket", "Bind and listen"}}
	sr := &milestones.StageResult{Stage: st, Dir: dir, BuildErr: &harness.BuildError{
		Dir:    dir,
		Output: "# workbook/stage1-server\n./server.go:5:2: undefined: undefinedThing\n/usr/lib/go/src/x.go:1:1: elsewhere",
	}}
	var b strings.Builder
	BuildError(&b, sr, "stage1-server", Style{})
	for _, want := range []string{
		"stage1-server/server.go:5:2: undefined: undefinedThing   ← Step 2: Bind and listen",
		"  /usr/lib/go/src/x.go:1:1: elsewhere",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the compile error lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "./server.go") {
		t.Errorf("the compile error names a file from the stage's folder:\n%s", b.String())
	}
}

// TestShowDir checks how a checked directory is named: from the repository
// root when it is inside it, as given otherwise.
func TestShowDir(t *testing.T) {
	root := t.TempDir()
	tests := []struct{ dir, want string }{
		{filepath.Join(root, "stage1-server"), "stage1-server"},
		{filepath.Join(root, "solutions", "stage1-server"), filepath.Join("solutions", "stage1-server")},
		{"/elsewhere/mine", "/elsewhere/mine"},
		{filepath.Join(root+"-other", "x"), filepath.Join(root+"-other", "x")},
	}
	for _, tc := range tests {
		if got := ShowDir(root, tc.dir); got != tc.want {
			t.Errorf("ShowDir(%q, %q) = %q, want %q", root, tc.dir, got, tc.want)
		}
	}
	if got := ShowDir("", "../mine"); got != "../mine" {
		t.Errorf("with no repository, ShowDir(%q) = %q, want it as given", "../mine", got)
	}
}

// TestStatus checks the line that says what is under way: on a terminal,
// a line that the next output replaces; elsewhere, plain lines that stay.
func TestStatus(t *testing.T) {
	var b strings.Builder
	st := NewStatus(&b, Style{})
	st.Show("building stage %d", 1)
	st.Note("go: downloading golang.org/x/sys v0.50.0")
	st.Clear()
	if want := "building stage 1...\ngo: downloading golang.org/x/sys v0.50.0\n"; b.String() != want {
		t.Errorf("plain status = %q, want %q", b.String(), want)
	}
	b.Reset()
	st = NewStatus(&b, Style{Color: true, Terminal: true})
	st.Show("building stage %d", 1)
	st.Note("go: downloading golang.org/x/sys v0.50.0")
	st.Clear()
	want := "\r\x1b[K" + dim + "building stage 1…" + reset +
		"\r\x1b[Kgo: downloading golang.org/x/sys v0.50.0\n" + dim + "building stage 1…" + reset +
		"\r\x1b[K"
	if b.String() != want {
		t.Errorf("terminal status = %q, want %q", b.String(), want)
	}
}

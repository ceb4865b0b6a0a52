package tests

import (
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"workbook/tests/harness"
	"workbook/tests/report"
)

// This file has helpers for tests that run several programs together, the
// way a learner runs them in several terminals: the Stage 2 client against
// the Stage 1 server, and the experiments of the Stage 2 lesson.

// wait is the deadline for anything these tests wait on.
var wait = 10 * time.Second

// newTranscript returns a transcript that is printed if t fails.
func newTranscript(t *testing.T) *harness.Transcript {
	tr := harness.NewTranscript()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("what happened:\n%s", report.Transcript(tr.Events(), report.Style{}))
		}
	})
	return tr
}

// startServer starts the server program bin on a free port and waits for
// its listening line.
func startServer(t *testing.T, bin string, tr *harness.Transcript, args ...string) (*harness.Process, int) {
	t.Helper()
	p, port, err := harness.StartServer(bin, harness.Options{Args: args, Transcript: tr, Name: filepath.Base(bin)}, func(p *harness.Process, port int) error {
		_, err := p.WaitLine(wait, func(l string) bool { return l == "[INFO] Server listening on port "+strconv.Itoa(port) })
		return err
	})
	if p != nil {
		t.Cleanup(p.Stop)
	}
	if err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	return p, port
}

// start starts bin with args and stops it when the test ends.
func start(t *testing.T, bin string, tr *harness.Transcript, args ...string) *harness.Process {
	t.Helper()
	p, err := harness.Start(bin, harness.Options{Args: args, Transcript: tr, Name: filepath.Base(bin)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

// startClient starts the Stage 2 client bin against port and waits until it
// says it is connected.
func startClient(t *testing.T, bin string, tr *harness.Transcript, port int) *harness.Process {
	t.Helper()
	p := start(t, bin, tr, "-port", strconv.Itoa(port))
	expectLine(t, p, "[INFO] Connected to server")
	return p
}

// expectLine fails t unless p's next stdout line is want.
func expectLine(t *testing.T, p *harness.Process, want string) {
	t.Helper()
	got, err := p.NextLine(wait)
	if err != nil {
		t.Fatalf("waiting for %q: %v", want, err)
	}
	if got != want {
		t.Fatalf("printed %q, want %q", got, want)
	}
}

// expectNoLine fails t if p prints a line or ends within the quiet window
// d, which proves that something has NOT happened (yet).
func expectNoLine(t *testing.T, p *harness.Process, d time.Duration, why string) {
	t.Helper()
	got, err := p.NextLine(d)
	if !errors.Is(err, harness.ErrTimeout) {
		t.Fatalf("%s, but within %v it printed %q (%v)", why, d, got, err)
	}
}

// expectExit fails t unless p ends with status code.
func expectExit(t *testing.T, p *harness.Process, code int) {
	t.Helper()
	exit, err := p.WaitExit(wait)
	if err != nil {
		t.Fatalf("still running after %v; want exit status %d", harness.Scaled(wait), code)
	}
	if exit.Code != code {
		t.Fatalf("ended with %v; want exit status %d", exit, code)
	}
}

// expectStdout fails t unless p's whole stdout so far is want.
func expectStdout(t *testing.T, who string, p *harness.Process, want ...string) {
	t.Helper()
	if got := p.Output(harness.Stdout); !slices.Equal(got, want) {
		t.Errorf("%s printed\n%q\nwant\n%q", who, got, want)
	}
}

package milestones

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"workbook/tests/harness"
)

// Expectations on a server's output as a whole, when the order of some lines
// depends on how events happen to be grouped.

// waitCount waits until n stdout lines match, and fails naming what as
// the lines it waited for.
func waitCount(t *T, p *harness.Process, n int, match func(string) bool, what string, step int, hint string) {
	got, err := p.WaitCount(waitOutput, n, match)
	if err == nil {
		return
	}
	var exited *harness.ExitedError
	if errors.As(err, &exited) {
		t.failWaiting(p, err, fmt.Sprintf("%d × %s", n, what), step)
	}
	t.Fail(Failure{
		Summary: fmt.Sprintf("the server printed %d of the %d %s lines expected, and no more within %v", got, n, what, harness.Scaled(waitOutput)),
		Step:    step,
		Hint:    hint,
	})
}

// waitAwake waits until the server has printed n stdout lines that match,
// counted from the start of its output, and reports whether it did. It
// gives up, reporting false, once the server has printed nothing for a
// quiet window, is asleep (harness.OnCPU) and has nothing printed waiting
// in its pipes (Unread): then it waits for something the check has still
// to do. (On a busy machine the harness may not have read what the server
// printed: its lines are on their way, and it is not waiting.) It gives up at the deadline too, as
// a server may spin without printing.
func waitAwake(srv *Server, n int, match func(string) bool) bool {
	all := func(string) bool { return true }
	deadline := time.Now().Add(harness.Scaled(waitOutput))
	for time.Now().Before(deadline) {
		before := srv.CountLines(all)
		_, err := srv.WaitCount(quietWindow, n, match)
		if err == nil {
			return true
		}
		if !errors.Is(err, harness.ErrTimeout) {
			return false // it ended: what the check does next says so
		}
		running, err := harness.OnCPU(srv.Pid())
		if srv.CountLines(all) == before && (err != nil || !running) && srv.Unread() == 0 {
			return false
		}
	}
	return false
}

// expectDetails waits until the server has printed as many lines as want
// holds, not counting [DEBUG] lines, then fails unless they are want.
// Lines of want that end in "…" match by prefix. The last unordered of
// them may come in any order among themselves.
func expectDetails(t *T, p *harness.Process, want []string, unordered int, step int) {
	notDebug := func(s string) bool { return !isDebug(s) }
	if n, err := p.WaitCount(waitOutput, len(want), notDebug); err != nil {
		var exited *harness.ExitedError
		if errors.As(err, &exited) {
			t.failWaiting(p, err, want[min(n, len(want)-1)], step)
		}
		t.Fail(Failure{
			Summary: fmt.Sprintf("the server printed %d of the %d lines expected (not counting [DEBUG] lines), and no more within %v",
				n, len(want), harness.Scaled(waitOutput)),
			Want: want,
			Got:  details(p),
			Step: step,
		})
	}
	got := details(p)
	ok := len(got) == len(want)
	if ok {
		n := len(want) - unordered
		ok = matchLines(want[:n], got[:n])
		w, g := slices.Clone(want[n:]), slices.Clone(got[n:])
		slices.Sort(w)
		slices.Sort(g)
		ok = ok && slices.Equal(w, g)
	}
	if !ok {
		t.Fail(outputMismatch("the server's output (leaving out the [DEBUG] lines) is not what it should be", want, got, step))
	}
}

// details returns the server's stdout without the "[DEBUG] Epoll wait"
// lines, whose number depends on how events happen to be grouped.
func details(p *harness.Process) []string {
	var out []string
	for _, l := range p.Output(harness.Stdout) {
		if !isDebug(l) {
			out = append(out, l)
		}
	}
	return out
}

// stderrLine returns the first line p printed to stderr that contains text.
func stderrLine(p *harness.Process, text string) (string, bool) {
	for _, l := range p.Output(harness.Stderr) {
		if strings.Contains(l, text) {
			return l, true
		}
	}
	return "", false
}

// panicLine returns the line with which p panicked, if it did.
func panicLine(p *harness.Process) (string, bool) {
	for _, l := range p.Output(harness.Stderr) {
		if strings.HasPrefix(l, "panic: ") {
			return l, true
		}
	}
	return "", false
}

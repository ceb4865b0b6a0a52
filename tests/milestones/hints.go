package milestones

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"workbook/tests/harness"
)

// This file turns a symptom into a hint: what a failure says the likely
// mistake is, when its shape gives it away.

// todoLine matches the line a skeleton prints for a Step not done yet.
var todoLine = regexp.MustCompile(`^\[TODO\] step (\d+) is not done yet`)

// todoFailure returns the failure to report when p stopped at a Step that
// is not done yet, printing its [TODO] line; otherwise nil. Whatever a
// check noticed first (a refused connection, a missing reply, a line too
// few), that unfinished Step is the cause to name.
func todoFailure(p *harness.Process) *Failure {
	for _, l := range p.Output(harness.Stderr) {
		if m := todoLine.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			return &Failure{
				Summary: fmt.Sprintf("the program stopped at Step %d, which is not done yet: %s", n, l),
				Step:    n,
				Hint:    fmt.Sprintf("Replace the todo(%d) call under TODO(step %d) with your code; the README's Step %d explains what goes there.", n, n, n),
			}
		}
	}
	return nil
}

// nameCause replaces the hint (and, if it can, the Step) of the check's
// failure when a program it started shows the cause itself, which comes
// first whatever the check noticed: it stopped at a Step not done yet, or
// the Go runtime found it deadlocked. prog is the program under test.
func (t *T) nameCause(prog Program) {
	for _, p := range t.programs() {
		if f := todoFailure(p); f != nil {
			t.failure = f
			return
		}
		if d, ok := deadlockOf(p.Output(harness.Stderr)); ok {
			t.failure.Hint = d.hint()
			if prog.Dir != "" {
				if step := StepAt(prog.Dir, d.file, d.line); step > 0 {
					t.failure.Step = step
				}
			}
			return
		}
	}
}

// exitHint explains an unexpected end from what the program printed last.
func exitHint(p *harness.Process) string {
	errs := p.Output(harness.Stderr)
	if len(errs) == 0 {
		return "It printed nothing to stderr: look for an os.Exit, or a return from run, that comes too early."
	}
	if d, ok := deadlockOf(errs); ok {
		return d.hint()
	}
	for _, l := range errs {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return "It panicked (" + l + "): the stderr lines in the transcript show where. Return errors instead, so main can print them as [ERROR] lines."
		}
	}
	last := errs[len(errs)-1]
	for _, known := range errorHints {
		if strings.HasPrefix(last, "[ERROR]") && strings.Contains(last, known.text) {
			return known.hint
		}
	}
	if strings.HasPrefix(last, "[ERROR]") {
		return "It reported an error: " + last
	}
	return "Its last stderr line was: " + last
}

// errorHints explain [ERROR] lines whose words alone would not tell a
// learner what to do, by a piece of their text.
var errorHints = []struct{ text, hint string }{
	{"accept: invalid argument", "accept(2) failed with EINVAL (\"invalid argument\"): accept needs a listening socket. " +
		"After bind(2), call listen(2) on the socket: that is what makes it take connections for accept to return."},
	{"accept4: invalid argument", "accept4(2) failed with EINVAL (\"invalid argument\"): accept needs a listening socket. " +
		"After bind(2), call listen(2) on the socket: that is what makes it take connections for accept to return."},
}

// deadlockLine is how the Go runtime ends a program in which every
// goroutine waits for another.
const deadlockLine = "fatal error: all goroutines are asleep - deadlock!"

// A deadlock is where the main goroutine of a program that ended with
// deadlockLine was waiting, from the stack the runtime printed after it.
type deadlock struct {
	wait string // what it waited on, such as "chan receive" or "select (no cases)"
	fn   string // the function it waited in, such as "run"
	file string // the file of that function, without its directory
	line int
}

var (
	goroutineHead = regexp.MustCompile(`^goroutine 1 \[([^\]]+)\]:$`)
	mainFrame     = regexp.MustCompile(`^main\.([\w.]+)\(`)
	frameFile     = regexp.MustCompile(`^\s+(\S+\.go):(\d+)`)
)

// deadlockOf reports whether a program that printed errs to stderr ended
// with deadlockLine, and where its main goroutine waited, as far as the
// stack says.
func deadlockOf(errs []string) (d deadlock, ok bool) {
	i := slices.Index(errs, deadlockLine)
	if i < 0 {
		// The runtime writes "fatal error: " and the reason as one line
		// on stderr, unless output in between split them.
		if i = slices.Index(errs, "all goroutines are asleep - deadlock!"); i < 0 {
			return d, false
		}
	}
	for j := i + 1; j < len(errs); j++ {
		if m := goroutineHead.FindStringSubmatch(errs[j]); m != nil && d.wait == "" {
			d.wait = m[1]
			continue
		}
		if m := mainFrame.FindStringSubmatch(errs[j]); m != nil && d.wait != "" && j+1 < len(errs) {
			if f := frameFile.FindStringSubmatch(errs[j+1]); f != nil {
				d.fn, d.file = m[1], filepath.Base(f[1])
				d.line, _ = strconv.Atoi(f[2])
			}
			break
		}
	}
	return d, true
}

// hint says what a deadlock means, and where the program waited.
func (d deadlock) hint() string {
	h := "All goroutines are asleep: the program waits for something that never comes, and the Go runtime stopped it."
	if d.fn != "" {
		h += fmt.Sprintf(" Its main goroutine waits (%s) in %s, at %s:%d, and no other goroutine is left to wake it. "+
			"Look at what that line waits for, and at what should have sent it.", d.wait, d.fn, d.file, d.line)
	}
	return h
}

// lineHint names a likely mistake when a line differs only a little.
func lineHint(want, got string) string {
	switch {
	case strings.TrimSpace(got) == strings.TrimSpace(want):
		return "Only spaces differ: look for a missing or extra space, or a line printed with \\r."
	case strings.EqualFold(got, want):
		return "Only upper and lower case differ: copy the line from the README exactly."
	case want == DisconnectedLine && got == ClosingLine:
		return "This server goes on after a client leaves, so its line is just \"[INFO] Client disconnected\"."
	case got != want && strings.HasSuffix(got, want):
		return fmt.Sprintf("Something was printed in front of the line: %q. Print only the lines shown in the README; "+
			"a prompt is not one of them.", strings.TrimSuffix(got, want))
	case got != logged(got) && logged(got) == want:
		return "The line went to the terminal raw, control bytes and all: print received text through printable()."
	}
	return ""
}

// repeats reports whether s starts with the same line twice over.
func repeats(s string) bool {
	i := strings.IndexByte(s, '\n')
	return i >= 0 && strings.HasPrefix(s[i+1:], s[:i+1])
}

// replyHint names a likely mistake from the shape of a wrong reply.
func replyHint(sent, want, got string) string {
	if got == "" || got == want {
		return ""
	}
	switch {
	case got == sent:
		return "The reply is what was sent, unchanged: reverse the line before writing it back."
	case repeats(got):
		return "A reply came again and again: after each write(2), move past the bytes it sent (b = b[n:]) before writing again."
	case strings.HasPrefix(got, "\n") && strings.HasSuffix(want, "\n"):
		return "The reply starts with the newline: reverse the text before the terminator, not the terminator."
	case strings.HasSuffix(want, "\r\n") && strings.HasSuffix(got, "\n") && !strings.HasSuffix(got, "\r\n"):
		return "The \\r of a \\r\\n terminator went missing or moved: keep \"\\r\\n\" at the end of the reply."
	}
	return ""
}

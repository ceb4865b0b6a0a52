package milestones

import (
	"fmt"
	"regexp"
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

// exitHint explains an unexpected end from what the program printed last.
func exitHint(p *harness.Process) string {
	errs := p.Output(harness.Stderr)
	if len(errs) == 0 {
		return "It printed nothing to stderr: look for an os.Exit, or a return from run, that comes too early."
	}
	for _, l := range errs {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return "It panicked (" + l + "): the stderr lines in the transcript show where. Return errors instead, so main can print them as [ERROR] lines."
		}
	}
	last := errs[len(errs)-1]
	if strings.HasPrefix(last, "[ERROR]") {
		return "It reported an error: " + last
	}
	return "Its last stderr line was: " + last
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

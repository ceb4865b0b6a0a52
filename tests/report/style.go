// Package report turns check results into text for a terminal or a log:
// a status line per check, and for a failure what was sent, what was
// expected and what came back (with a go-cmp diff), a hint, the Step to
// revisit, a command to reproduce it by hand, and the transcript.
//
// It only renders: running checks is package milestones' job.
package report

import (
	"os"
	"strings"

	"golang.org/x/term"
)

// A Style says how to decorate text.
type Style struct {
	Color    bool // ANSI colours and symbols (✓ ✗ · …); plain words otherwise
	Terminal bool // the output is a terminal, which may be redrawn
}

// ForTerminal returns the style for f: colour, symbols and redrawing only
// when f is a terminal, TERM is not "dumb" (a terminal that understands no
// escape sequences, such as an editor's shell buffer) and NO_COLOR is unset
// or empty (https://no-color.org). Anything else, a pipe, a file or
// /dev/null, gets plain text.
func ForTerminal(f *os.File) Style {
	fancy := term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb" && os.Getenv("NO_COLOR") == ""
	return Style{Color: fancy, Terminal: fancy}
}

const (
	green  = "\x1b[32m"
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	dim    = "\x1b[2m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

func (s Style) paint(code, text string) string {
	if !s.Color {
		return text
	}
	return code + text + reset
}

func (s Style) pass() string   { return s.mark(green, "✓", "PASS") }
func (s Style) fail() string   { return s.mark(red, "✗", "FAIL") }
func (s Style) notRun() string { return s.mark(dim, "·", "----") }

func (s Style) mark(code, symbol, word string) string {
	if !s.Color {
		return word
	}
	return code + symbol + reset
}

// indent puts prefix before every line of text.
func indent(text, prefix string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(prefix+l, " \t")
	}
	return strings.Join(lines, "\n") + "\n"
}

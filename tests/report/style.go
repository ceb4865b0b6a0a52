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
)

// A Style says how to decorate text.
type Style struct {
	Color    bool // ANSI colours and symbols; plain words otherwise
	Terminal bool // the output is a terminal, which may be redrawn
}

// ForTerminal returns the style for f: colour and symbols only when f is a
// terminal and NO_COLOR is unset (https://no-color.org).
func ForTerminal(f *os.File) Style {
	fi, err := f.Stat()
	terminal := err == nil && fi.Mode()&os.ModeCharDevice != 0
	_, noColor := os.LookupEnv("NO_COLOR")
	return Style{Color: terminal && !noColor, Terminal: terminal}
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

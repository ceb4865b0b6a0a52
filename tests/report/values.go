package report

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"workbook/tests/harness"
	"workbook/tests/milestones"
)

// longest is how much of a value is shown before it is cut.
const longest = 100

// quote shows bytes as a Go string literal, cut short when long.
func quote(text string, s Style) string {
	if len(text) <= longest {
		return strconv.Quote(text)
	}
	return strconv.Quote(text[:longest]) + s.cutShort(len(text))
}

// quoteEvent shows an event's bytes like quote, counting the bytes the
// transcript did not keep.
func quoteEvent(e harness.Event, s Style) string {
	if e.Size > len(e.Text) {
		return strconv.Quote(e.Text[:min(len(e.Text), longest)]) + s.cutShort(e.Size)
	}
	return quote(e.Text, s)
}

// printed shows a line the program printed as it printed it, when it is
// printable, and cut short when long: one line of 100 KB would fill the
// screen many times over.
func printed(e harness.Event, s Style) string {
	size := max(e.Size, len(e.Text))
	if size <= longest {
		return safe(e.Text)
	}
	n := min(longest, len(e.Text))
	for n > 0 && !utf8.RuneStart(e.Text[n]) {
		n-- // cut between characters, not inside one
	}
	return safe(e.Text[:n]) + s.cutShort(size)
}

// cutShort is what follows a value that was cut short.
func (s Style) cutShort(size int) string {
	mark := "..."
	if s.Color {
		mark = "…"
	}
	return fmt.Sprintf("%s (%d bytes in all)", mark, size)
}

// compare renders an expected and an actual value.
func compare(want, got any, s Style) string {
	var b strings.Builder
	switch w := want.(type) {
	case string:
		g, _ := got.(string)
		fmt.Fprintf(&b, "expected: %s\n", quote(w, s))
		fmt.Fprintf(&b, "got:      %s\n", quote(g, s))
		if len(w) > longest || len(g) > longest {
			i := firstDifference(w, g)
			fmt.Fprintf(&b, "they first differ at byte %d: expected %s, got %s\n", i, quote(cut(w, i, 20), s), quote(cut(g, i, 20), s))
		}
	case []string:
		g, _ := got.([]string)
		b.WriteString("expected lines (-) and what came (+):\n")
		diff := cmp.Diff(w, g, cmp.Comparer(func(x, y string) bool {
			return milestones.MatchLine(x, y) || milestones.MatchLine(y, x)
		}))
		b.WriteString(indent(diff, "  "))
	case nil:
		if got != nil {
			fmt.Fprintf(&b, "got: %v\n", got)
		}
	default:
		fmt.Fprintf(&b, "expected: %v\ngot:      %v\n", want, got)
	}
	return b.String()
}

// safe returns text as it is when it is printable, and quoted otherwise, so
// that whatever a program prints cannot play tricks with the terminal.
func safe(text string) string {
	if !utf8.ValidString(text) {
		return strconv.Quote(text)
	}
	for _, r := range text {
		if !strconv.IsPrint(r) {
			return strconv.Quote(text)
		}
	}
	return text
}

func firstDifference(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

func cut(s string, at, n int) string {
	if at >= len(s) {
		return ""
	}
	return s[at:min(len(s), at+n)]
}

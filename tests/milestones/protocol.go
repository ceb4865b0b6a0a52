package milestones

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file is the checks' own model of the protocol (a line in, the line
// reversed out: stage1-server/README.md) and of the way received text is
// logged, written independently of the stage programs.

// content returns line without its terminator ("\n" or "\r\n").
func content(line string) string {
	line, ok := strings.CutSuffix(line, "\n")
	if ok {
		line = strings.TrimSuffix(line, "\r")
	}
	return line
}

// reply returns what a server answers to line: the content reversed by
// UTF-8 character, with a byte of invalid UTF-8 as a character of its own,
// and the same terminator after it.
func reply(line string) string {
	text := content(line)
	var units []string
	for i := 0; i < len(text); {
		_, size := utf8.DecodeRuneInString(text[i:])
		units = append(units, text[i:i+size])
		i += size
	}
	var b strings.Builder
	for i := len(units) - 1; i >= 0; i-- {
		b.WriteString(units[i])
	}
	return b.String() + line[len(text):]
}

// logged returns text as a program prints it: as it is when every character
// is printable, and otherwise quoted the way strconv.Quote does, without the
// outer quotes.
func logged(text string) string {
	printable := utf8.ValidString(text)
	for _, r := range text {
		printable = printable && strconv.IsPrint(r)
	}
	if printable {
		return text
	}
	q := strconv.Quote(text)
	return q[1 : len(q)-1]
}

// randomLines returns n lines of printable ASCII, 0 to 60 characters long,
// each ending in "\n".
func randomLines(r *rand.Rand, n int) []string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?-_()"
	lines := make([]string, n)
	for i := range lines {
		b := make([]byte, r.IntN(61))
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		lines[i] = string(b) + "\n"
	}
	return lines
}

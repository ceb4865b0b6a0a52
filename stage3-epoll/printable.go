package main

import (
	"strconv"
	"unicode/utf8"
)

// printable returns b as text that is safe to print on a terminal. Text made
// of printable characters comes back as it is. Anything else (a control byte
// such as an escape, invalid UTF-8, an invisible format character) comes back
// in Go's quoted form without the outer quotes, so "a\x1b[2Jb" prints as
// a\x1b[2Jb and cannot clear the learner's screen.
func printable(b []byte) string {
	s := string(b)
	if !utf8.ValidString(s) {
		return unquoted(s)
	}
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return unquoted(s)
		}
	}
	return s
}

func unquoted(s string) string {
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

package main

import (
	"bufio"
	"fmt"
	"os"
)

// A logger prints the proxy's progress lines to stdout.
//
// It keeps them in a buffer until flush, which the event loop calls right
// before every wait. A busy proxy then makes one write(2) for a whole round
// of events instead of one per line, and no line is ever held back while
// the proxy sleeps in epoll_wait.
type logger struct {
	w     *bufio.Writer
	quiet bool // -quiet: leave out the detail lines
}

func newLogger(quiet bool) *logger {
	return &logger{w: bufio.NewWriterSize(os.Stdout, 64<<10), quiet: quiet}
}

// printf prints a line that is always shown: the listening line, a [WARN]
// line, the shutting-down line. Like the other methods it takes the whole
// line, so the code shows the exact text printed.
func (l *logger) printf(format string, a ...any) {
	fmt.Fprintf(l.w, format+"\n", a...)
}

// detail prints a line that -quiet leaves out: "[DEBUG] Epoll wait" and the
// lines about each client and its upstream connection.
func (l *logger) detail(line string) {
	if !l.quiet {
		l.w.WriteString(line + "\n")
	}
}

// detailf is detail with a format, for lines that hold numbers.
func (l *logger) detailf(format string, a ...any) {
	if !l.quiet {
		fmt.Fprintf(l.w, format+"\n", a...)
	}
}

// flush writes out the buffered lines.
func (l *logger) flush() {
	l.w.Flush()
}

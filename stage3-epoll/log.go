package main

import (
	"bufio"
	"fmt"
	"os"
)

// A logger prints the server's progress lines to stdout.
//
// It keeps them in a buffer until flush, which the event loop calls right
// before every wait. A busy server then makes one write(2) for a whole
// round of events instead of one per line, and no line is ever held back
// while the server sleeps in epoll_wait.
type logger struct {
	w     *bufio.Writer
	quiet bool // -quiet: leave out the detail and message lines
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
// lines about each client arriving and leaving.
func (l *logger) detail(line string) {
	if !l.quiet {
		l.w.WriteString(line + "\n")
	}
}

// message prints the [CLIENT MESSAGE] line for a line's text, unless -quiet.
func (l *logger) message(text []byte) {
	if l.quiet {
		return // and skip the work of making text printable
	}
	l.w.WriteString("[CLIENT MESSAGE] ")
	l.w.WriteString(printable(text))
	l.w.WriteByte('\n')
}

// flush writes out the buffered lines.
func (l *logger) flush() {
	l.w.Flush()
}

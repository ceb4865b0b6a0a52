package report

import (
	"fmt"
	"io"
	"sync"
)

// A Status tells, on its own stream (stderr), what the command is doing
// while nothing else shows it, such as "building stage 1…", which on a
// machine that has never built the workbook can take minutes. On a terminal
// it is one line that the next output replaces; elsewhere each step is a
// plain line of its own. It is safe for concurrent use.
type Status struct {
	w     io.Writer
	style Style

	mu      sync.Mutex
	current string // the line shown on the terminal now, if any
}

// NewStatus returns a Status that writes to w in style s.
func NewStatus(w io.Writer, s Style) *Status {
	return &Status{w: w, style: s}
}

// Show says what is under way, until Clear or the next Show.
func (st *Status) Show(format string, a ...any) {
	st.mu.Lock()
	defer st.mu.Unlock()
	text := fmt.Sprintf(format, a...)
	if !st.style.Terminal {
		fmt.Fprintf(st.w, "%s...\n", text)
		return
	}
	st.current = text + "…"
	fmt.Fprintf(st.w, "\r\x1b[K%s", st.style.paint(dim, st.current))
}

// Note writes a line that stays, such as the go command's "go: downloading
// golang.org/x/sys v0.50.0", above what Show shows.
func (st *Status) Note(line string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.style.Terminal {
		fmt.Fprintln(st.w, line)
		return
	}
	fmt.Fprintf(st.w, "\r\x1b[K%s\n", line)
	if st.current != "" {
		fmt.Fprint(st.w, st.style.paint(dim, st.current))
	}
}

// Clear removes what Show shows, before other output takes its place.
func (st *Status) Clear() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.current != "" {
		fmt.Fprint(st.w, "\r\x1b[K")
		st.current = ""
	}
}

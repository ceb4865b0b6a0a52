package harness

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Who says where an event came from or went to.
type Who string

// Sources every check has. Connections use their own names, such as
// "client 1" or "server".
const (
	Check  Who = "check"  // something the check did or noticed
	Stdout Who = "stdout" // a line the program printed
	Stderr Who = "stderr" // a line the program printed to stderr
	Stdin  Who = "stdin"  // bytes written to the program's stdin
)

// Direction says which way bytes went, seen from the program under test.
type Direction int

// The directions of an event.
const (
	Note Direction = iota // not bytes on the wire: an action or a remark
	In                    // sent to the program
	Out                   // received from the program
)

// An Event is one entry in a Transcript.
type Event struct {
	At   time.Duration // since the transcript started
	Who  Who
	Dir  Direction
	Text string // a note, an output line, or the raw bytes sent or received
	// Count is how many times in a row the same event happened: a program
	// that prints one line thousands of times is one event, not thousands.
	Count int
	// Size is the length of the whole text when Text holds only its start.
	Size int
}

// keep is how much of a large event's text a Transcript keeps. A check that
// sends megabytes would otherwise hold them all again in its transcript,
// and a report shows only the start anyway.
const keep = 4 << 10

// A Transcript records, in order, what happened during a check. It is safe
// for concurrent use.
type Transcript struct {
	start  time.Time
	mu     sync.Mutex
	events []Event
}

// NewTranscript returns an empty transcript that starts now.
func NewTranscript() *Transcript {
	return &Transcript{start: time.Now()}
}

// Add records an event. A nil Transcript ignores it.
func (t *Transcript) Add(who Who, dir Direction, text string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.events); n > 0 {
		if last := &t.events[n-1]; last.Who == who && last.Dir == dir && last.Text == text {
			last.Count++
			return
		}
	}
	e := Event{At: time.Since(t.start), Who: who, Dir: dir, Text: text, Count: 1}
	if len(text) > keep {
		// A copy: a slice of text would keep all of it in memory.
		e.Text, e.Size = strings.Clone(text[:keep]), len(text)
	}
	t.events = append(t.events, e)
}

// Notef records a note from the check.
func (t *Transcript) Notef(format string, a ...any) {
	t.Add(Check, Note, fmt.Sprintf(format, a...))
}

// Events returns a copy of what has been recorded so far.
func (t *Transcript) Events() []Event {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Event(nil), t.events...)
}

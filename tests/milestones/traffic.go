package milestones

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"workbook/tests/harness"
)

// Traffic for the checks that fill a connection: lines numbered so that a
// lost or reordered one shows, a sender that runs on while the other side
// does not read, and a reader that takes its time.

// numberedLines returns n lines of 1 KiB, each starting with its number,
// and the replies to them, in order. At most maxNumberedLines: the lines
// are made once and shared by every check, since they run to megabytes.
func numberedLines(n int) (lines, replies string) {
	numbered.once.Do(func() {
		var filler strings.Builder
		for i := 0; filler.Len() < lineSize-9; i++ {
			filler.WriteByte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[i%64])
		}
		f := filler.String()
		fr := reply(f)
		var l, r strings.Builder
		l.Grow(maxNumberedLines * lineSize)
		r.Grow(maxNumberedLines * lineSize)
		for i := range maxNumberedLines {
			prefix := fmt.Sprintf("%07d ", i)
			l.WriteString(prefix + f + "\n")
			r.WriteString(fr + reply(prefix) + "\n")
		}
		numbered.lines, numbered.replies = l.String(), r.String()
	})
	return numbered.lines[:n*lineSize], numbered.replies[:n*lineSize]
}

// maxNumberedLines is the most lines numberedLines makes.
const maxNumberedLines = 32 << 10

// lineSize is the size of each of numberedLines' lines.
const lineSize = 1024

var numbered struct {
	once           sync.Once
	lines, replies string
}

// A sender sends on a connection from a goroutine of its own, so that a
// check can watch how far it gets while the other side does not read.
type sender struct {
	harness.Sender
	done chan struct{} // closed when the goroutine is done; nil if there is none
	err  error         // set before done is closed
}

// sendInBackground sends data, then calls then (if not nil). It sends in
// pieces of 16 KiB, so that how far it has got is known finely.
func sendInBackground(c *harness.Conn, data string, then func() error) *sender {
	const chunk = 16 << 10
	s := &sender{done: make(chan struct{})}
	s.Starts()
	go func() {
		defer close(s.done)
		defer s.Finishes()
		for off := 0; off < len(data); off += chunk {
			end := min(off+chunk, len(data))
			if s.err = s.Send(c, data[off:end]); s.err != nil {
				return
			}
		}
		if then != nil {
			s.err = then()
		}
	}()
	return s
}

// waitStuck waits until the sender has sent everything, or is stuck
// because the server (process pid) has stopped reading (see
// harness.Sender.WaitStuck), and returns how much was sent.
func (s *sender) waitStuck(t *T, pid int) int64 {
	n, err := s.WaitStuck(pid, s.done)
	if err != nil {
		t.Failf("%v", err)
	}
	return n
}

// readAll reads n bytes from c, a MiB at a time, and returns what arrived,
// with the error that stopped it before n bytes, if any. Reading counts as
// a busy part of the check (see T.Busy) while the bytes flow; a piece that
// keeps it waiting for more than a moment gives up its turn, so that
// waiting for replies that may never come holds up no other check.
func readAll(t *T, c *harness.Conn, n int) (string, error) {
	const piece = 1 << 20
	var b strings.Builder
	b.Grow(n)
	for b.Len() < n {
		done := t.Busy()
		waiting := time.AfterFunc(quietWindow, done)
		got, err := c.ReadFull(min(piece, n-b.Len()), waitReply)
		waiting.Stop()
		done()
		b.WriteString(got)
		if err != nil {
			return b.String(), err
		}
	}
	return b.String(), nil
}

func firstDiff(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// dialSlowReader connects a client whose receive buffer is small, so that
// the server's writes to it fill up soon when it does not read.
func dialSlowReader(t *T, srv *Server) *harness.Conn {
	c, err := harness.DialWithReceiveBuffer(srv.Addr(), t.nextClient(), t.tr, 4096)
	if err != nil {
		t.Failf("could not connect to %s: %v", srv.Addr(), err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

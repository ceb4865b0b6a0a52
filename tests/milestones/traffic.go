package milestones

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
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
	sent atomic.Int64
	done chan struct{}
	err  error // set before done is closed

	mu      sync.Mutex
	sending int       // senders that have more to send: goroutines, or requests being answered
	writing int       // writes under way, on one connection or several
	since   time.Time // since when some write has been under way, without a break
}

// starts and finishes bracket the work of one of s's senders.
func (s *sender) starts() {
	s.mu.Lock()
	s.sending++
	s.mu.Unlock()
}

func (s *sender) finishes() {
	s.mu.Lock()
	s.sending--
	s.mu.Unlock()
}

// send writes data on c, counting it as sent once written.
func (s *sender) send(c *harness.Conn, data string) error {
	s.begin()
	err := c.SendBlocking(data)
	n := len(data)
	if err != nil {
		n = 0
	}
	s.end(n)
	return err
}

// begin and end bracket a write; end adds n bytes to what was sent.
func (s *sender) begin() {
	s.mu.Lock()
	if s.writing++; s.writing == 1 {
		s.since = time.Now()
	}
	s.mu.Unlock()
}

func (s *sender) end(n int) {
	s.sent.Add(int64(n))
	s.mu.Lock()
	s.writing--
	s.mu.Unlock()
}

// stopped reports whether s sends no more, as far as it can tell after a
// window of d without progress: it has nothing more to send, or its
// writes have been under way, without a break, for d or longer, which
// means that the kernel holds them back because the other side does not
// read. A sender that is neither, in the middle of its work between two
// writes, has not been stopped: the check itself was kept off the CPU (a
// busy machine).
func (s *sender) stopped(d time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sending == 0 || s.writing > 0 && time.Since(s.since) >= d
}

// sendInBackground sends data, then calls then (if not nil). It sends in
// pieces of 16 KiB, so that how far it has got is known finely.
func sendInBackground(c *harness.Conn, data string, then func() error) *sender {
	const chunk = 16 << 10
	s := &sender{done: make(chan struct{})}
	s.starts()
	go func() {
		defer close(s.done)
		defer s.finishes()
		for off := 0; off < len(data); off += chunk {
			end := min(off+chunk, len(data))
			if s.err = s.send(c, data[off:end]); s.err != nil {
				return
			}
		}
		if then != nil {
			s.err = then()
		}
	}()
	return s
}

// waitStuck waits until the sender has sent everything, or is stuck: it
// has made no progress for a short quiet window, at the end of which the
// server (process pid) is asleep rather than running or waiting for a CPU.
// Then the server has stopped reading, and is not merely slow. It returns
// how much was sent. The window scales with the deadlines, as a slow
// machine may pause the server for a moment.
func (s *sender) waitStuck(t *T, pid int) int64 {
	deadline := time.Now().Add(harness.Scaled(30 * time.Second))
	quiet := harness.Scaled(300 * time.Millisecond)
	last := int64(-1)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return s.sent.Load()
		case <-time.After(quiet): // a quiet window: no progress
		}
		n := s.sent.Load()
		if n == last && s.stopped(quiet) {
			if running, err := harness.OnCPU(pid); err != nil || !running {
				return n // asleep, or ended: either way it takes no more
			}
		}
		last = n
	}
	t.Failf("a client was still sending after %v, or the server kept running without taking what it sent", harness.Scaled(30*time.Second))
	return 0
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

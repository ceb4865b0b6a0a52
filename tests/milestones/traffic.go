package milestones

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"workbook/tests/harness"
)

// Traffic for the checks that fill a connection: lines numbered so that a
// lost or reordered one shows, a sender that runs on while the other side
// does not read, and a reader that takes its time.

// numberedLines returns n lines of 1 KiB, each starting with its number,
// and the replies to them, in order.
func numberedLines(n int) (lines, replies string) {
	var filler strings.Builder
	for i := 0; filler.Len() < 1024-9; i++ {
		filler.WriteByte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[i%64])
	}
	f := filler.String()
	fr := reply(f)
	var l, r strings.Builder
	l.Grow(n * 1024)
	r.Grow(n * 1024)
	for i := range n {
		prefix := fmt.Sprintf("%07d ", i)
		l.WriteString(prefix + f + "\n")
		r.WriteString(fr + reply(prefix) + "\n")
	}
	return l.String(), r.String()
}

// A sender sends on a connection from a goroutine of its own, so that a
// check can watch how far it gets while the other side does not read.
type sender struct {
	sent atomic.Int64
	done chan struct{}
	err  error // set before done is closed
}

// sendInBackground sends data in pieces of chunk bytes, then calls then
// (if not nil).
func sendInBackground(c *harness.Conn, data string, chunk int, then func() error) *sender {
	s := &sender{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for off := 0; off < len(data); off += chunk {
			end := min(off+chunk, len(data))
			if s.err = c.SendBlocking(data[off:end]); s.err != nil {
				return
			}
			s.sent.Add(int64(end - off))
		}
		if then != nil {
			s.err = then()
		}
	}()
	return s
}

// waitStuck waits until the sender has sent everything, or has made no
// progress for a short quiet window: the other side has stopped reading.
// It returns how much was sent. The window scales with the deadlines, so a
// slow machine that pauses the server for a moment is not taken for
// back-pressure.
func (s *sender) waitStuck(t *T) int64 {
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
		if n == last {
			return n
		}
		last = n
	}
	t.Failf("a client was still sending after %v", harness.Scaled(30*time.Second))
	return 0
}

// readInPieces reads n bytes from c, piece bytes at a time, pausing
// between pieces. It returns what arrived, and the error that stopped it
// before n bytes, if any.
func readInPieces(c *harness.Conn, n, piece int, pause time.Duration) (string, error) {
	var b strings.Builder
	b.Grow(n)
	for b.Len() < n {
		got, err := c.ReadFull(min(piece, n-b.Len()), waitReply)
		b.WriteString(got)
		if err != nil {
			return b.String(), err
		}
		time.Sleep(pause)
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

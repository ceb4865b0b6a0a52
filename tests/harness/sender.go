package harness

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// A Sender counts what one or more senders write on connections, from
// goroutines of their own, and tells when the other side has stopped
// taking it: when the kernel holds their writes back because the program
// under test no longer reads.
//
// Progress alone cannot tell that. A sender that makes no progress for a
// moment may only have been kept off a busy CPU, and a program that takes
// nothing for a moment may only have been. So a Sender is stuck only when
// its writes have been under way without a break for a whole quiet window,
// and the program is asleep at the end of it, not running or waiting for a
// CPU.
//
// The zero value is ready to use.
type Sender struct {
	sent atomic.Int64

	mu      sync.Mutex
	sending int       // senders that have more to send: goroutines, or requests being answered
	writing int       // writes under way, on one connection or several
	since   time.Time // since when some write has been under way, without a break
}

// Starts and Finishes bracket the work of one of s's senders, from its
// first write to its last.
func (s *Sender) Starts() {
	s.mu.Lock()
	s.sending++
	s.mu.Unlock()
}

// Finishes ends what Starts began.
func (s *Sender) Finishes() {
	s.mu.Lock()
	s.sending--
	s.mu.Unlock()
}

// Send writes data on c, blocking while the kernel holds it back, and
// counts it as sent once written.
func (s *Sender) Send(c *Conn, data string) error {
	s.Begin()
	err := c.SendBlocking(data)
	n := len(data)
	if err != nil {
		n = 0
	}
	s.End(n)
	return err
}

// Begin and End bracket one write, for a sender that writes by other means
// than Send; End adds the n bytes written to what was sent.
func (s *Sender) Begin() {
	s.mu.Lock()
	if s.writing++; s.writing == 1 {
		s.since = time.Now()
	}
	s.mu.Unlock()
}

// End ends what Begin began.
func (s *Sender) End(n int) {
	s.sent.Add(int64(n))
	s.mu.Lock()
	s.writing--
	s.mu.Unlock()
}

// Sent returns how many bytes have been written so far.
func (s *Sender) Sent() int64 {
	return s.sent.Load()
}

// stopped reports whether s sends no more, as far as it can tell after a
// window of d without progress: it has nothing more to send, or its
// writes have been under way, without a break, for d or longer. A sender
// that is neither, in the middle of its work between two writes, has not
// been stopped: it was kept off the CPU.
func (s *Sender) stopped(d time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sending == 0 || s.writing > 0 && time.Since(s.since) >= d
}

// WaitStuck waits until done is closed (nil: never) or s is stuck: no
// progress for a quiet window, with s stopped and process pid asleep at
// the end of it. Then the program has stopped reading, and is not merely
// slow. It returns how much was sent, or an error when neither happened
// within a generous deadline. The window and the deadline scale with
// ScaleEnv, as a slow machine may pause the program for a moment.
func (s *Sender) WaitStuck(pid int, done <-chan struct{}) (int64, error) {
	limit := Scaled(30 * time.Second)
	deadline := time.Now().Add(limit)
	quiet := Scaled(300 * time.Millisecond)
	last := int64(-1)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return s.Sent(), nil
		case <-time.After(quiet): // a quiet window: no progress
		}
		n := s.Sent()
		if n == last && s.stopped(quiet) {
			if running, err := OnCPU(pid); err != nil || !running {
				return n, nil // asleep, or ended: either way it takes no more
			}
		}
		last = n
	}
	return 0, fmt.Errorf("a client was still sending after %v, or the program kept running without taking what it sent", limit)
}

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// A client is one connection to the server and the requests it makes. Its
// methods run in the connection's own goroutine, except that in pipelined
// mode a second goroutine writes.
type client struct {
	r    *runner
	id   int // 1 for the first connection opened
	conn net.Conn
	in   *bufio.Reader

	next    int // the pool index of the next request
	replies int // replies checked (transfers made, in the bulk modes) so far, for error messages

	settleOnce sync.Once
	settled    func() // called once, at the first reply or failure
	failOnce   sync.Once
}

// newClient returns a client for conn. settled is called once, when the
// connection has had its first reply (which proves the server accepted it)
// or has failed.
func newClient(r *runner, id int, conn net.Conn, settled func()) *client {
	c := &client{r: r, id: id, conn: conn, settled: settled}
	if !isBulk(r.cfg.mode) { // a bulk transfer reads without a bufio.Reader
		c.in = bufio.NewReaderSize(conn, max(4096, r.cfg.size+2))
		c.next = int(r.rng.Uint64() % uint64(r.pool.len()))
	}
	return c
}

// run makes requests in the configured mode until the measurement ends or
// the connection fails, then closes the connection (in idle mode, hands it
// to the runner to hold instead). In the bulk modes, the connection is the
// first of many, one per transfer.
func (c *client) run() {
	defer c.settle()
	switch c.r.cfg.mode {
	case modeClosed:
		for c.r.phase.Load() != draining && c.roundTrip() {
		}
	case modePipelined:
		c.pipeline()
	case modeDownload, modeUpload:
		c.bulk()
	case modeIdle:
		if c.roundTrip() {
			c.settle()
			c.in = nil // an idle connection needs no read buffer
			c.r.hold(c.conn)
			return
		}
	}
	c.conn.Close()
}

// settle tells the ramp that this connection no longer waits for its
// first reply.
func (c *client) settle() { c.settleOnce.Do(c.settled) }

// take returns the pool index of the next request to send.
func (c *client) take() int {
	i := c.next
	c.next = (c.next + 1) % c.r.pool.len()
	return i
}

// roundTrip sends one request, waits for its reply and checks it: the
// closed loop, where a connection has one request in flight at a time. It
// reports whether the connection can go on.
func (c *client) roundTrip() bool {
	i := c.take()
	start := time.Now()
	c.conn.SetDeadline(start.Add(c.r.cfg.timeout))
	if _, err := c.conn.Write(c.r.pool.reqs[i]); err != nil {
		c.fail("could not send request %d: %v", c.replies+1, err)
		return false
	}
	if !c.check(i) {
		return false
	}
	c.r.done(time.Since(start))
	c.settle()
	return true
}

// A sent is a request in flight in pipelined mode.
type sent struct {
	i  int       // its pool index
	at time.Time // when it was written
}

// pipeline keeps depth requests in flight: a writer goroutine sends new
// requests as replies free room, while this goroutine reads and checks the
// replies in order. Reading and writing apart means neither side waits for
// the other, so a server that stops reading while its replies back up
// cannot deadlock the tool.
func (c *client) pipeline() {
	depth := c.r.cfg.depth
	inFlight := make(chan sent, depth) // never full: the writer sends only what room allows
	var room atomic.Int64              // requests the writer may send
	room.Store(int64(depth))
	wake := make(chan struct{}, 1)
	wake <- struct{}{}
	readerDone := make(chan struct{})
	writerDone := make(chan struct{})

	go func() {
		defer close(writerDone)
		defer close(inFlight) // the reader checks what is left, then stops
		var batch []byte
		for {
			select {
			case <-wake:
			case <-c.r.stopping:
				return
			case <-readerDone:
				return
			}
			if c.r.phase.Load() == draining {
				return
			}
			// Everything there is room for goes out in one write, as a
			// real client with many requests queued would send it.
			batch = batch[:0]
			now := time.Now()
			for range room.Swap(0) {
				i := c.take()
				batch = append(batch, c.r.pool.reqs[i]...)
				inFlight <- sent{i, now}
			}
			c.conn.SetWriteDeadline(now.Add(c.r.cfg.timeout))
			if _, err := c.conn.Write(batch); err != nil {
				c.fail("could not send requests: %v", err)
				return
			}
		}
	}()

	for s := range inFlight {
		c.conn.SetReadDeadline(time.Now().Add(c.r.cfg.timeout))
		if !c.check(s.i) {
			break
		}
		c.r.done(time.Since(s.at))
		c.settle()
		room.Add(1)
		select {
		case wake <- struct{}{}:
		default: // the writer has a wake-up pending already
		}
	}
	close(readerDone)
	<-writerDone
}

// check reads one reply and compares it, byte for byte, with the reply
// request i must get. On any difference, or when no reply comes, it fails
// the connection and returns false.
func (c *client) check(i int) bool {
	got, err := c.in.ReadSlice('\n')
	want := c.r.pool.wants[i]
	if err == nil && bytes.Equal(got, want) {
		c.replies++
		return true
	}
	n := c.replies + 1
	sent := preview(c.r.pool.reqs[i])
	switch {
	case err == nil:
		c.fail("wrong reply to request %d: sent %s, want %s, got %s", n, sent, preview(want), preview(got))
	case err == bufio.ErrBufferFull:
		c.fail("wrong reply to request %d: sent %s, want %s, got %s and no newline", n, sent, preview(want), preview(got))
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.fail("no reply to request %d within %v (-timeout): sent %s, got %s", n, c.r.cfg.timeout, sent, preview(got))
	case err == io.EOF:
		c.fail("the server closed the connection after %d replies: sent %s, got %s", c.replies, sent, preview(got))
	default:
		c.fail("reading the reply to request %d: %v", n, err)
	}
	return false
}

// fail records the connection's first error and closes it, which also
// stops a pipelined connection's other goroutine. Later errors on the same
// connection are consequences of the first and are not counted.
func (c *client) fail(format string, a ...any) {
	c.failOnce.Do(func() {
		c.r.fail(fmt.Sprintf("conn %d: ", c.id) + fmt.Sprintf(format, a...))
		c.conn.Close()
	})
	c.settle()
}

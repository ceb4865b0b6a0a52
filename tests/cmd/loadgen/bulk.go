package main

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"time"
)

// bulkChunk is how many bytes a bulk transfer reads or writes at a time,
// at either end.
const bulkChunk = 256 << 10

// okAnswer is the bulk server's answer to an upload that arrived whole.
const okAnswer = "ok\n"

// isBulk reports whether mode is one of the bulk modes.
func isBulk(mode string) bool { return mode == modeDownload || mode == modeUpload }

// bulk makes transfers, each on a connection of its own, until the
// measurement ends or a transfer fails: the first on c.conn, which the ramp
// opened, and the next ones on connections it opens itself. A transfer
// under way when the measurement ends is finished and checked.
func (c *client) bulk() {
	buf := make([]byte, bulkChunk)
	dialer := net.Dialer{Timeout: c.r.cfg.timeout}
	for c.transfer(buf) && c.r.phase.Load() != draining {
		conn, err := dialer.Dial("tcp4", c.r.cfg.addr)
		if err != nil {
			c.fail("could not connect for transfer %d: %v", c.replies+1, err)
			return
		}
		c.conn = conn
	}
}

// transfer makes one transfer on c.conn, of a stream with a seed of its
// own, and closes the connection. It reports whether the transfer was
// right.
func (c *client) transfer(buf []byte) bool {
	defer c.conn.Close()
	s := stream{seed: rand.Uint64()}
	start := time.Now()
	var ok bool
	if c.r.cfg.mode == modeDownload {
		ok = c.download(s, buf)
	} else {
		ok = c.upload(s, buf)
	}
	if ok {
		c.replies++
		c.r.done(time.Since(start))
	}
	return ok
}

// download asks for s and checks every byte that comes, then the end of
// the stream right after the last.
func (c *client) download(s stream, buf []byte) bool {
	size, t := int64(c.r.cfg.size), c.replies+1
	c.conn.SetWriteDeadline(time.Now().Add(c.r.cfg.timeout))
	if _, err := fmt.Fprintf(c.conn, "%s %d %d\n", modeDownload, size, s.seed); err != nil {
		c.fail("transfer %d: could not send the request: %v", t, err)
		return false
	}
	var got int64
	for {
		c.conn.SetReadDeadline(time.Now().Add(c.r.cfg.timeout))
		n, err := c.conn.Read(buf)
		if n > 0 {
			if got+int64(n) > size {
				c.fail("transfer %d: more than the %d bytes asked for", t, size)
				return false
			}
			if i, want := s.mismatch(buf[:n], got); i >= 0 {
				c.fail("transfer %d: byte %d of %d is %#02x, want %#02x", t, got+int64(i), size, buf[i], want)
				return false
			}
			got += int64(n)
			c.r.bytes.Add(int64(n))
			c.settle()
		}
		switch {
		case err == nil:
		case err == io.EOF && got == size:
			return true
		case err == io.EOF:
			c.fail("transfer %d: the stream ended after %d of %d bytes", t, got, size)
			return false
		case errors.Is(err, os.ErrDeadlineExceeded):
			c.fail("transfer %d: no byte within %v (-timeout) after %d of %d bytes", t, c.r.cfg.timeout, got, size)
			return false
		default:
			c.fail("transfer %d: after %d of %d bytes: %v", t, got, size, err)
			return false
		}
	}
}

// upload sends s, ends its sending, and reads the bulk server's answer,
// which says whether every byte arrived.
func (c *client) upload(s stream, buf []byte) bool {
	size, t := int64(c.r.cfg.size), c.replies+1
	// The request line and the first bytes of the stream go in one write.
	out := fmt.Appendf(buf[:0], "%s %d %d\n", modeUpload, size, s.seed)
	for sent := int64(0); sent < size; out = buf[:0] {
		n := int(min(int64(len(buf)-len(out)), size-sent))
		s.fill(buf[len(out):len(out)+n], sent)
		c.conn.SetWriteDeadline(time.Now().Add(c.r.cfg.timeout))
		if _, err := c.conn.Write(buf[:len(out)+n]); err != nil {
			c.fail("transfer %d: could not send after %d of %d bytes: %v", t, sent, size, err)
			return false
		}
		sent += int64(n)
		c.r.bytes.Add(int64(n))
		c.settle()
	}
	if err := c.conn.(*net.TCPConn).CloseWrite(); err != nil {
		c.fail("transfer %d: could not end the stream: %v", t, err)
		return false
	}
	c.conn.SetReadDeadline(time.Now().Add(c.r.cfg.timeout))
	answer, err := io.ReadAll(io.LimitReader(c.conn, 200))
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.fail("transfer %d: no answer within %v (-timeout) after the %d bytes were sent; got %s", t, c.r.cfg.timeout, size, preview(answer))
	case err != nil:
		c.fail("transfer %d: reading the answer after the %d bytes were sent: %v", t, size, err)
	case string(answer) != okAnswer:
		c.fail("transfer %d: the bulk server answered %q, want %q", t, answer, okAnswer)
	default:
		return true
	}
	return false
}

//go:build linux

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// maxPending is how many bytes of replies the server keeps for a client
// before it stops reading from that client. A client that sends without
// reading would otherwise make the server hold more and more of its
// replies; paused, it finds its own sends blocked by TCP instead, and the
// server's memory stays bounded.
const maxPending = 256 << 10

// A client is what the server keeps for one connection.
//
// Its buffers keep their capacity from one request to the next: emptied,
// not freed. So a busy client's requests allocate nothing once the
// buffers have grown to fit them, and the garbage collector has nothing to
// do. An idle client holds this struct (48 bytes), its lineBuffer (64
// bytes, with no storage of its own when its lines came whole), the out
// buffer that its last reply needed (48 bytes for a short line) and its
// place in s.clients (8 bytes): about 170 bytes, besides what the kernel
// keeps for its socket.
type client struct {
	fd     int
	lines  *lineBuffer // what has arrived, cut into lines
	out    []byte      // replies not yet written to the socket
	events uint32      // what epoll watches fd for
	eof    bool        // the client has closed its sending side
}

// serveClient deals with an event on a client's socket.
func (s *server) serveClient(c *client, events uint32) {
	// Write before reading. When the connection has failed (EPOLLERR,
	// EPOLLHUP), writing is what finds out, and the client is dropped
	// before anything more is read. When the client has made room, the
	// replies already waiting go out before reading adds new ones, which
	// keeps what the server holds for this client as small as it can be.
	if events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) != 0 && s.flush(c) != nil {
		s.drop(c)
		return
	}
	if events&(unix.EPOLLIN|unix.EPOLLERR|unix.EPOLLHUP) != 0 && c.events&unix.EPOLLIN != 0 {
		if !s.readFrom(c) {
			return // dropped
		}
		// Write the new replies at once rather than wait for EPOLLOUT:
		// the socket almost always has room, and this saves a trip round
		// the loop.
		if s.flush(c) != nil {
			s.drop(c)
			return
		}
	}
	if c.eof && len(c.out) == 0 {
		s.drop(c) // the client is done sending, and has every reply
		return
	}
	if s.updateInterest(c) != nil {
		s.drop(c)
	}
}

// readFrom reads once from c's socket and answers the complete lines that
// arrived. It reports false when it dropped the client.
func (s *server) readFrom(c *client) bool {
	// One read per event: if more is waiting, epoll reports the socket
	// again on the next round (it is level-triggered), and the clients
	// take turns meanwhile. rawRead is unix.Read without the runtime's
	// bookkeeping, safe because the socket is non-blocking (rawio.go).
	n, err := rawRead(c.fd, s.buf)
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return true // nothing to read after all; epoll will say when there is
	case err != nil:
		s.drop(c) // the connection broke, for example with ECONNRESET
		return false
	case n == 0:
		// End of file: the client closed its sending side. Answer what
		// is left of an unterminated line; serveClient closes the
		// connection once every reply has been written.
		c.eof = true
		if rest := c.lines.rest(); len(rest) > 0 {
			s.answer(c, rest)
		}
		return true
	}
	c.lines.write(s.buf[:n])
	for {
		line, ok := c.lines.next()
		if !ok {
			break
		}
		s.answer(c, line)
	}
	if c.lines.tooLong() {
		s.log.printf("[WARN] Client sent a line longer than %d bytes; dropping the client", s.cfg.maxLine)
		s.flush(c) // the replies to the lines before it, as far as they go
		s.drop(c)
		return false
	}
	return true
}

// answer logs one line and puts its reversal at the end of c's output.
func (s *server) answer(c *client, line []byte) {
	s.log.message(content(line))
	c.out = appendReversed(c.out, line)
}

// flush writes as much of c's pending output as the socket takes now; see
// write(2). What does not fit stays in c.out for the next EPOLLOUT.
func (s *server) flush(c *client) error {
	if len(c.out) == 0 {
		return nil
	}
	n, err := rawWrite(c.fd, c.out) // unix.Write, minus the bookkeeping (rawio.go)
	if err == unix.EAGAIN || err == unix.EINTR {
		return nil // the socket's send buffer is full; EPOLLOUT says when it is not
	}
	if err != nil {
		return os.NewSyscallError("write", err) // EPIPE or ECONNRESET: the client has gone
	}
	// A short write means the send buffer filled up. Keep the rest at the
	// front of c.out.
	c.out = c.out[:copy(c.out, c.out[n:])]
	return nil
}

// updateInterest tells epoll what to watch c for, when that has changed.
func (s *server) updateInterest(c *client) error {
	want := c.interest()
	if want == c.events {
		return nil // the usual case, and no system call
	}
	c.events = want
	return s.poll.modify(c.fd, want)
}

// interest returns what c waits for. EPOLLIN: more of its lines, unless it
// has closed its side or too many of its replies are pending (then it is
// paused until they drain). EPOLLOUT: room to write, but only while replies
// are pending; a socket almost always has room, and asking for EPOLLOUT
// with nothing to write would wake the loop again and again for nothing.
func (c *client) interest() uint32 {
	var events uint32
	if !c.eof && len(c.out) < maxPending {
		events |= unix.EPOLLIN
	}
	if len(c.out) > 0 {
		events |= unix.EPOLLOUT
	}
	return events
}

// drop says goodbye to c: out of the interest list, closed, and forgotten.
func (s *server) drop(c *client) {
	// Remove first, close second. Closing alone takes the socket out of
	// the interest list only once no other descriptor refers to it, and
	// after the close the number means nothing (or, after the next
	// accept, another client), so EPOLL_CTL_DEL would fail with EBADF. It
	// cannot fail here: c.fd is open and watched.
	s.poll.remove(c.fd)
	unix.Close(c.fd)
	s.clients[c.fd] = nil
	s.count--
	s.log.detail("[INFO] Client disconnected")
}

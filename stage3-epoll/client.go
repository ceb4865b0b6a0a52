//go:build linux

package main

import (
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
	// TODO(step 6): read once from c.fd into s.buf (unix.Read).
	//   - An error (ECONNRESET, say): the client has gone. Drop it.
	//   - 0 bytes, end of file: answer what c.lines.rest() holds, if
	//     anything, and set c.eof. serveClient drops the client once its
	//     replies are written.
	//   - Data: give it to c.lines (write), and answer (s.answer) every
	//     complete line it holds (next), until next reports none left: the
	//     lines are slices of s.buf, which the next read overwrites. If
	//     the line buffer is over the limit (tooLong), print a [WARN] line,
	//     write the replies so far (s.flush), and drop the client (s.drop).
	//
	// TODO(step 7): EAGAIN or EINTR: nothing to read after all. Keep the
	// client; epoll will say when there is more.
	todo(6)
	return false
}

// answer logs one line and puts its reversal at the end of c's output.
func (s *server) answer(c *client, line []byte) {
	s.log.message(content(line))
	c.out = appendReversed(c.out, line)
}

// flush writes as much of c's pending output as the socket takes now; see
// write(2). What does not fit stays in c.out for the next EPOLLOUT.
func (s *server) flush(c *client) error {
	// TODO(step 6): write what c.out holds, if anything (unix.Write), and
	// keep what the kernel did not take at the front of c.out, in the same
	// memory (copy). Return a write error wrapped as "write"; "os" is not
	// imported yet.
	//
	// TODO(step 7): EAGAIN (the send buffer is full) or EINTR: return nil,
	// with c.out as it is.
	todo(6)
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

// interest returns what c waits for: EPOLLIN while the server wants more of
// its lines; EPOLLOUT while replies are pending.
func (c *client) interest() uint32 {
	// TODO(step 8): EPOLLIN only until the client has closed its sending
	// side (c.eof); EPOLLOUT only while c.out holds replies.
	//
	// TODO(step 9): no EPOLLIN either while c.out holds maxPending bytes or
	// more.
	return unix.EPOLLIN
}

// drop says goodbye to c: out of the interest list, closed, and forgotten.
func (s *server) drop(c *client) {
	// TODO(step 6): take c.fd out of the interest list (s.poll.remove), then
	// close it (unix.Close), in that order; forget the client in s.clients
	// and s.count, and print "[INFO] Client disconnected" (s.log.detail).
	todo(6)
}

package milestones

import (
	"fmt"
	"syscall"
	"time"

	"workbook/tests/harness"
)

// What the proxy's interest list says about a connection, and making the
// proxy hold a client's bytes, then hear the client end, in a known order:
// the state in which a half-closed pair's client socket is reported with
// EPOLLHUP on every wait, asked for or not.

// heldPiece is how much sendUntilHeld sends at a time: little enough that
// the last piece, and the end of file after it, fit in the proxy's socket
// even once the proxy has stopped reading.
const heldPiece = 16 << 10

// sendUntilHeld has c send the stream, a piece at a time, each piece once
// the proxy has read the last, until the proxy holds bytes for the other
// side and stops reading from c: its socket for c is no longer watched for
// EPOLLIN (kernel's say, /proc/PID/fdinfo). Every byte c sent has then
// reached the proxy's socket. It returns how many c sent, and whether the
// proxy was seen to stop reading (a proxy that stops reading some other
// way is given the benefit of the doubt after 64 MiB).
func sendUntilHeld(t *T, srv *Server, c *harness.Conn) (int64, bool) {
	var sent int64
	for sent < 64<<20 {
		if err := c.Send(string(streamAt(sent, heldPiece))); err != nil {
			t.Failf("%s could not send: %v", c.Name(), err)
		}
		sent += heldPiece
		deadline := time.Now().Add(harness.Scaled(waitReply))
		for {
			mine, ok1, err1 := harness.FindTCPSocket(c.LocalAddr(), c.RemoteAddr())
			theirs, ok2, err2 := harness.FindTCPSocket(c.RemoteAddr(), c.LocalAddr())
			if err1 != nil || err2 != nil || !ok1 || !ok2 {
				t.Failf("could not ask the kernel about %s's connection: %v %v", c.Name(), err1, err2)
			}
			if mine.SendQueue == 0 && theirs.RecvQueue == 0 {
				break // the proxy has read it all: the next piece
			}
			if mine.SendQueue == 0 && !readingFrom(t, srv, theirs.Inode) {
				t.Notef("the proxy holds bytes for the other side and reads no more from %s, which has sent %d bytes", c.Name(), sent)
				return sent, true
			}
			if time.Now().After(deadline) {
				t.Notef("the proxy reads no more from %s, which has sent %d bytes", c.Name(), sent)
				return sent, false
			}
			time.Sleep(time.Millisecond) // polling the kernel: nothing to wait on
		}
	}
	return sent, false
}

// expectNotReading waits until the proxy no longer watches its end of c's
// connection for EPOLLIN, level-triggered, as it must once it has read its
// end of file: a socket at end of file is readable for ever, and the loop
// would spin. It fails, naming step, if that does not happen soon.
func expectNotReading(t *T, srv *Server, c *harness.Conn, step int, hint string) {
	deadline := time.Now().Add(harness.Scaled(waitOutput))
	for {
		s, ok, err := harness.FindTCPSocket(c.RemoteAddr(), c.LocalAddr())
		if err != nil || !ok {
			return // closed already: not watched
		}
		if !readingFrom(t, srv, s.Inode) {
			return
		}
		if time.Now().After(deadline) {
			t.Fail(Failure{
				Summary: fmt.Sprintf("the proxy read the end of file of %s's connection, and still watches its socket for EPOLLIN", c.Name()),
				Want:    "no EPOLLIN",
				Got:     "EPOLLIN, level-triggered (/proc/PID/fdinfo)",
				Step:    step,
				Hint:    hint,
			})
		}
		time.Sleep(time.Millisecond) // polling /proc: nothing to wait on
	}
}

// readingFrom reports whether the proxy watches its socket with inode for
// EPOLLIN, level-triggered (an edge-triggered watch reports end of file
// once).
func readingFrom(t *T, srv *Server, inode uint64) bool {
	fd, ok, err := harness.DescriptorOf(srv.Pid(), inode)
	if err != nil {
		failIfEnded(t, srv, s4HalfClose)
		t.Failf("could not read the proxy's descriptors: %v", err)
	}
	if !ok {
		return false // the proxy has closed it meanwhile
	}
	instances, err := harness.EpollInstances(srv.Pid())
	if err != nil {
		t.Failf("could not read the proxy's epoll instances: %v", err)
	}
	for _, watches := range instances {
		for _, w := range watches {
			if w.FD == fd && w.Events&syscall.EPOLLIN != 0 && w.Events&epollET == 0 {
				return true
			}
		}
	}
	return false
}

// endAcked half-closes c and waits until the other side's kernel has
// acknowledged the end of file: c's socket, which had read the other
// side's end of file already, is then closed in the kernel's eyes.
func endAcked(t *T, c *harness.Conn) {
	c.CloseWrite()
	deadline := time.Now().Add(harness.Scaled(waitReply))
	for {
		s, ok, err := harness.FindTCPSocket(c.LocalAddr(), c.RemoteAddr())
		if err != nil {
			t.Failf("could not ask the kernel about %s's connection: %v", c.Name(), err)
		}
		if !ok || s.State == harness.TCPClose {
			return
		}
		if time.Now().After(deadline) {
			t.Failf("%s's end of file was not acknowledged within %v", c.Name(), harness.Scaled(waitReply))
		}
		time.Sleep(time.Millisecond) // polling the kernel: nothing to wait on
	}
}

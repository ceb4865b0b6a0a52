//go:build linux

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// A flow is one direction of a pair: the bytes one side sends, on their way
// to the other side.
type flow struct {
	pending []byte // read from the sender, not yet taken by the receiver: a buffer from the pool, or nil
	written int    // bytes written to the receiver so far, for the disconnect line
	eof     bool   // the sender has ended its sending: a read returned 0
	shut    bool   // the receiver has been told, with shutdown(SHUT_WR)
}

// serve deals with an event on fd, one of p's two sockets.
func (s *proxy) serve(p *pair, fd int, events uint32) {
	if p.connecting {
		if fd == p.client.fd {
			// The client is watched for nothing yet, so this is EPOLLERR
			// or EPOLLHUP: it has gone before its upstream was reached.
			s.abort(p)
			return
		}
		s.finishConnect(p)
		return
	}
	if events&unix.EPOLLERR != 0 {
		// The connection has failed: its peer reset it, most often. A
		// reset on either side ends both.
		s.abort(p)
		return
	}
	// x is the side the event is about, and y the other side; in is the
	// flow from y to x, and out the flow from x to y.
	x, y, in, out := &p.client, &p.upstream, &p.toClient, &p.toUpstream
	if fd == p.upstream.fd {
		x, y, in, out = y, x, out, in
	}
	if events&unix.EPOLLHUP != 0 {
		x.hungUp = true
	}
	if err := s.exchange(x, y, in, out, events); err != nil {
		s.abort(p)
		return
	}
	if p.toUpstream.shut && p.toClient.shut {
		s.finish(p) // both directions are done
		return
	}
	if err := s.updateInterest(p); err != nil {
		s.abort(p)
	}
}

// exchange moves the bytes that an event on x lets through, both ways.
func (s *proxy) exchange(x, y *side, in, out *flow, events uint32) error {
	// Write before reading, as in Stage 3: EPOLLOUT says that x has room
	// for the bytes waiting for it, and once they are gone, y may be read
	// again.
	if events&unix.EPOLLOUT != 0 {
		if err := s.drain(x, in); err != nil {
			return err
		}
	}
	// Read from x only while nothing from its last read is still waiting
	// for y: that is the bound on what the proxy holds for a pair, and
	// interest asks for no EPOLLIN meanwhile. EPOLLHUP, which comes
	// whether asked for or not, says that x will send nothing more; what
	// it sent before may still be waiting, and reading is how to get it,
	// and then the end of file.
	if events&(unix.EPOLLIN|unix.EPOLLHUP) != 0 && !out.eof && len(out.pending) == 0 {
		if err := s.relay(x, y, out); err != nil {
			return err
		}
	}
	// Half-close: once a sender has ended its sending and every byte it
	// sent has been delivered, its receiver is told so, and the other
	// direction goes on.
	if out.eof && len(out.pending) == 0 && !out.shut {
		if err := shutWrite(y, out); err != nil {
			return err
		}
	}
	if in.eof && len(in.pending) == 0 && !in.shut {
		if err := shutWrite(x, in); err != nil {
			return err
		}
	}
	return nil
}

// relay reads once from one side and writes what arrived to the other; f
// is the flow between them. What the receiver does not take at once waits
// in f.pending.
func (s *proxy) relay(from, to *side, f *flow) error {
	// One read per event, as in Stage 3: if more is waiting, epoll reports
	// the socket again on the next round, and the other pairs take turns
	// meanwhile. rawRead is unix.Read without the runtime's bookkeeping
	// (rawio.go).
	n, err := rawRead(from.fd, s.buf)
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return nil // nothing to read after all
	case err != nil:
		return os.NewSyscallError("read", err) // ECONNRESET, most often
	case n == 0:
		f.eof = true // the sender has ended its sending: see exchange
		return nil
	}
	// Write at once, without waiting for EPOLLOUT: the receiver's socket
	// almost always has room, and then the bytes never leave s.buf.
	written, err := write(to.fd, s.buf[:n])
	f.written += written
	if err != nil {
		return err
	}
	if written < n {
		// The rest cannot stay in s.buf, which the next read, for any
		// pair, overwrites. It waits in a buffer of its own.
		f.pending = append(s.pool.get(), s.buf[written:n]...)
	}
	return nil
}

// drain writes the bytes waiting in f.pending to the receiver, as many as
// its socket takes now. Once none is left, the buffer goes back to the
// pool: an idle pair holds none.
func (s *proxy) drain(to *side, f *flow) error {
	if len(f.pending) == 0 {
		return nil
	}
	n, err := write(to.fd, f.pending)
	f.written += n
	if err != nil {
		return err
	}
	f.pending = f.pending[:copy(f.pending, f.pending[n:])]
	if len(f.pending) == 0 {
		s.pool.put(f.pending)
		f.pending = nil
	}
	return nil
}

// write writes b to fd, as much of it as the socket's send buffer takes
// now, and returns how much that was; see write(2). A full send buffer is
// not an error: write then returns 0, and EPOLLOUT will say when there is
// room. It writes with rawWrite, which is unix.Write without the runtime's
// bookkeeping (rawio.go).
func write(fd int, b []byte) (int, error) {
	n, err := rawWrite(fd, b)
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return 0, nil
	case err != nil:
		return 0, os.NewSyscallError("write", err) // EPIPE or ECONNRESET: the receiver has gone
	}
	return n, nil
}

// shutWrite tells a receiver that its flow has ended, once every byte of it
// has been delivered: shutdown(2) with SHUT_WR sends a FIN, which the peer
// reads as end of file. Unlike close(2), it leaves the socket open, and
// the other direction goes on.
func shutWrite(to *side, f *flow) error {
	if err := unix.Shutdown(to.fd, unix.SHUT_WR); err != nil {
		return os.NewSyscallError("shutdown", err)
	}
	f.shut = true
	return nil
}

// updateInterest tells epoll what to watch each of p's sockets for, where
// that has changed.
func (s *proxy) updateInterest(p *pair) error {
	if err := s.watch(&p.client, interest(&p.toClient, &p.toUpstream)); err != nil {
		return err
	}
	return s.watch(&p.upstream, interest(&p.toUpstream, &p.toClient))
}

// interest returns what a side is watched for, given the flow towards it
// (in) and the flow from it (out).
func interest(in, out *flow) uint32 {
	var events uint32
	// EPOLLIN: more to read, but only while its last bytes have all been
	// passed on. A sender is paused while its receiver is slow: its bytes
	// wait in the kernel, and then TCP holds it back. That is
	// back-pressure. And not after its end of file, which stays readable
	// for ever.
	if !out.eof && len(out.pending) == 0 {
		events |= unix.EPOLLIN
	}
	// EPOLLOUT: room to write, but only while bytes wait for it. A socket
	// almost always has room, so asking with nothing to write would wake
	// the loop again and again for nothing.
	if len(in.pending) > 0 {
		events |= unix.EPOLLOUT
	}
	return events
}

// watch has epoll watch x for want, if it does not already.
func (s *proxy) watch(x *side, want uint32) error {
	if x.hungUp && want == 0 {
		// EPOLLHUP means that both directions of x's connection have
		// ended: x sent its FIN, and so did the proxy, towards it. epoll
		// reports it on every wait from then on, asked for or not, so a
		// side that is watched for nothing would wake the loop at once,
		// again and again. Park it: out of the interest list until it is
		// wanted again. Nothing is lost meanwhile: its peer has sent its
		// FIN, so whatever is left to read has arrived already and waits
		// in the socket, and nothing is written to it any more.
		if !x.parked {
			x.parked, x.events = true, 0
			return s.poll.remove(x.fd)
		}
		return nil
	}
	if x.parked {
		x.parked, x.events = false, want
		return s.poll.add(x.fd, want)
	}
	if want == x.events {
		return nil // the usual case, and no system call
	}
	x.events = want
	return s.poll.modify(x.fd, want)
}

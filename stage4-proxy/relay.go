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
	// TODO(step 5): read once from from.fd into s.buf with unix.Read.
	//   - EAGAIN or EINTR: nothing to read after all; return nil.
	//   - another error (ECONNRESET, say): return it, wrapped as "read".
	//   - 0 bytes: the sender has ended its sending. Set f.eof and return
	//     nil; Step 8 does the rest.
	//   - n bytes: write them to `to` at once with write, and add what was
	//     written to f.written. What was not written goes in f.pending: a
	//     buffer from s.pool.get, with the rest of s.buf[:n] appended.
	todo(5)
	return nil
}

// drain writes the bytes waiting in f.pending to the receiver, as many as
// its socket takes now. Once none is left, the buffer goes back to the
// pool: an idle pair holds none.
func (s *proxy) drain(to *side, f *flow) error {
	// TODO(step 6): if f.pending holds bytes, write them to `to` with
	// write, add what was written to f.written, and keep what was not at
	// the front of f.pending. Once it is empty, give the buffer back with
	// s.pool.put and set f.pending to nil.
	todo(6)
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
	// TODO(step 8): call unix.Shutdown on to.fd with unix.SHUT_WR; wrap an
	// error as "shutdown". Then set f.shut.
	todo(8)
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
	// TODO(step 6): ask for unix.EPOLLOUT while in.pending holds bytes,
	// and for unix.EPOLLIN only while out.pending is empty.
	//
	// TODO(step 8): and ask for no EPOLLIN once out.eof is set.
	return unix.EPOLLIN
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

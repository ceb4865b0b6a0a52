//go:build linux

package main

import (
	"fmt"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// upstreamAddr returns the upstream's address in the form connect(2)
// takes. The proxy makes it once, at start-up, and every upstream
// connection uses it.
func upstreamAddr(addr netip.AddrPort) *unix.SockaddrInet4 {
	// TODO(step 1): return a new unix.SockaddrInet4 holding addr's port
	// (addr.Port(), an int there) and its four bytes (addr.Addr().As4()).
	todo(1)
	return nil
}

// connectUpstream starts connecting fd, a non-blocking TCP socket, to addr;
// see connect(2). It returns nil once the connection is on its way, and
// epoll reports fd writable when it has been made or has failed
// (finishConnect). An error is the kernel's reason alone, such as "network
// is unreachable", for the [WARN] line.
func connectUpstream(fd int, addr *unix.SockaddrInet4) error {
	// TODO(step 3): call unix.Connect. On a non-blocking socket it fails
	// with EINPROGRESS: the connection is on its way, so return nil. Return
	// nil for EINTR as well (the connection goes on all the same), and for
	// no error at all. Return any other error as it is, not wrapped: it is
	// the reason in the [WARN] line.
	todo(3)
	return nil
}

// finishConnect learns how p's upstream connect ended, now that epoll has
// reported its socket.
func (s *proxy) finishConnect(p *pair) {
	// TODO(step 4): read the outcome from the upstream socket's SO_ERROR
	// option with unix.GetsockoptInt (level unix.SOL_SOCKET). If that call
	// fails, give up with s.cannotConnect and the error wrapped as
	// "getsockopt". If the value is not 0, it is an error number: give up
	// with s.cannotConnect(p, unix.Errno(value)). Either way, return then.
	// Otherwise the connection is up: clear p.connecting, print
	// "[INFO] Connected to upstream" with s.log.detail, and have both
	// sockets watched for relaying with s.updateInterest(p); if that
	// fails, s.abort(p).
	todo(4)
}

// cannotConnect gives up on p, whose upstream connection could not be made:
// one [WARN] line, and both sockets closed. The client gets no byte, and
// no disconnect line is printed: it was never relayed.
func (s *proxy) cannotConnect(p *pair, err error) {
	s.log.printf("[WARN] Cannot connect to upstream %v: %v; closing the client", s.cfg.upstream, err)
	s.closePair(p)
}

// todo stops the program at a Step that is not done yet. Once every Step is
// done, nothing calls it and you can delete it.
func todo(step int) {
	fmt.Fprintf(os.Stderr, "[TODO] step %d is not done yet: see README.md, Step %d\n", step, step)
	os.Exit(3)
}

//go:build linux

package main

import (
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// upstreamAddr returns the upstream's address in the form connect(2)
// takes. The proxy makes it once, at start-up, and every upstream
// connection uses it.
func upstreamAddr(addr netip.AddrPort) *unix.SockaddrInet4 {
	return &unix.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}
}

// connectUpstream starts connecting fd, a non-blocking TCP socket, to addr;
// see connect(2). It returns nil once the connection is on its way, and
// epoll reports fd writable when it has been made or has failed
// (finishConnect). An error is the kernel's reason alone, such as "network
// is unreachable", for the [WARN] line.
func connectUpstream(fd int, addr *unix.SockaddrInet4) error {
	err := unix.Connect(fd, addr)
	switch err {
	case unix.EINPROGRESS:
		// The usual answer on a non-blocking socket: the SYN has been
		// sent, and the handshake goes on without us.
		return nil
	case unix.EINTR:
		// A signal came first. The connection goes on all the same, as
		// after EINPROGRESS; calling connect again would only say
		// EALREADY. See connect(2).
		return nil
	case nil:
		// Connected already. TCP does not do that on a non-blocking
		// socket, but connect(2) allows it; EPOLLOUT then comes at once,
		// and finishConnect takes it from there.
		return nil
	}
	return err
}

// finishConnect learns how p's upstream connect ended, now that epoll has
// reported its socket.
func (s *proxy) finishConnect(p *pair) {
	// A non-blocking connect has no return value to say how it went.
	// The socket keeps the outcome in its SO_ERROR option: 0 when the
	// connection is up, and otherwise the error number that a blocking
	// connect would have returned, such as ECONNREFUSED. See connect(2)
	// and socket(7).
	errno, err := unix.GetsockoptInt(p.upstream.fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err != nil {
		s.cannotConnect(p, os.NewSyscallError("getsockopt", err))
		return
	}
	if errno != 0 {
		s.cannotConnect(p, unix.Errno(errno))
		return
	}
	p.connecting = false
	s.log.detail("[INFO] Connected to upstream")
	// From now on bytes flow both ways, and each side is watched for what
	// relaying them needs.
	if err := s.updateInterest(p); err != nil {
		s.abort(p)
	}
}

// cannotConnect gives up on p, whose upstream connection could not be made:
// one [WARN] line, and both sockets closed. The client gets no byte, and
// no disconnect line is printed: it was never relayed.
func (s *proxy) cannotConnect(p *pair, err error) {
	s.log.printf("[WARN] Cannot connect to upstream %v: %v; closing the client", s.cfg.upstream, err)
	s.closePair(p)
}

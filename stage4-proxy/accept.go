//go:build linux

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// acceptClients takes the clients waiting in the listening socket's queue.
// It is Stage 3's, but for its last line: each client starts a pair.
func (s *proxy) acceptClients() error {
	// One event on the listening socket may stand for many clients that
	// arrived together, so accept until the queue is empty (EAGAIN). The
	// listening socket is non-blocking, so that last accept returns at
	// once instead of waiting for one more client.
	for {
		// SOCK_NONBLOCK: the new socket's reads and writes never wait
		// either. One slow client must never put the whole loop to sleep.
		// rawAccept (rawio.go) is unix.Accept4 without the client's
		// address, which the proxy does not need.
		fd, err := rawAccept(s.ln, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch err {
		case nil:
		case unix.EAGAIN:
			return nil // the queue is empty
		case unix.EINTR, unix.ECONNABORTED:
			// Interrupted by a signal, or the client gave up while it
			// waited in the queue: neither is a reason to stop.
			continue
		case unix.ENETDOWN, unix.EPROTO, unix.ENOPROTOOPT, unix.EHOSTDOWN,
			unix.ENONET, unix.EHOSTUNREACH, unix.EOPNOTSUPP, unix.ENETUNREACH:
			// Linux's accept(2) hands on a network error that befell the
			// waiting connection. It concerns that client, not the
			// listening socket: accept(2) says to treat it like EAGAIN and
			// try again.
			continue
		case unix.EMFILE, unix.ENFILE:
			// The process (EMFILE) or the whole system (ENFILE) has no
			// descriptor left for a new socket.
			if !s.refuseWithSpare() {
				return nil
			}
			continue
		default:
			return os.NewSyscallError("accept4", err)
		}
		if s.count >= s.cfg.maxClients {
			unix.Close(fd)
			s.log.printf("[WARN] Too many clients (-max-clients %d); refusing a client", s.cfg.maxClients)
			continue
		}
		s.startPair(fd)
	}
}

// refuseWithSpare turns away the next waiting client when there is no
// descriptor left to accept it with. It reports whether a client was
// waiting.
//
// The kernel has finished the client's handshake already, so the client
// sits in the queue, and the listening socket stays readable for as long
// as it does. Ignoring it would make a level-triggered loop wake at once,
// fail again, and spin. So the proxy keeps one descriptor in reserve
// (spare), and spends it here: close it to make room, accept the client
// into that room and close the connection at once, then take the spare
// back.
func (s *proxy) refuseWithSpare() bool {
	unix.Close(s.spare)
	fd, err := rawAccept(s.ln, unix.SOCK_CLOEXEC)
	if err == nil {
		unix.Close(fd)
		s.log.printf("[WARN] Out of file descriptors; refusing a client")
	}
	// The room is free again, and nothing else in this program opens a
	// descriptor in between, so the spare fits back. (Only when the whole
	// system is out of files could another process take the room first;
	// the next refusal then tries again.)
	s.spare, _ = openSpare()
	return err == nil
}

// openSpare opens the descriptor that refuseWithSpare keeps in reserve.
// /dev/null is the cheapest file there is.
func openSpare() (int, error) {
	fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("open /dev/null", err)
	}
	return fd, nil
}

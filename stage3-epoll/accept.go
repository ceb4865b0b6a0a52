//go:build linux

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// acceptClients takes the clients waiting in the listening socket's queue.
func (s *server) acceptClients() error {
	// TODO(step 5): accept one client, close-on-exec (unix.Accept4,
	// unix.SOCK_CLOEXEC), and start serving it (s.addClient). Return nil on
	// EAGAIN, EINTR or ECONNABORTED (nobody to accept this time), and any
	// other error wrapped as "accept4".
	//
	// TODO(step 7): make each client's socket non-blocking
	// (unix.SOCK_NONBLOCK).
	//
	// TODO(step 10): accept until the queue is empty (EAGAIN). Retry at once
	// on EINTR, ECONNABORTED and the network errors that accept(2) says to
	// treat like EAGAIN.
	//
	// TODO(step 11): with s.cfg.maxClients clients already, close each new
	// one at once, with a [WARN] line. On EMFILE or ENFILE, refuse the
	// waiting client (s.refuseWithSpare), and return when nobody was there.
	todo(5)
	return nil
}

// addClient starts serving the client connected on fd: epoll watches its
// socket, and the client gets its place in the table.
func (s *server) addClient(fd int) {
	// TODO(step 5): watch fd for EPOLLIN (s.poll.add); if that fails, close
	// fd and print a [WARN] line (s.log.printf). Otherwise grow s.clients
	// until index fd exists, put a new client there (its fd, its own line
	// buffer from newLineBuffer, events EPOLLIN), count it in s.count, and
	// print "[INFO] Client connected to server" (s.log.detail).
	todo(5)
}

// refuseWithSpare turns away the next waiting client when there is no
// descriptor left to accept it with. It reports whether a client was
// waiting.
//
// The kernel has finished the client's handshake already, so the client
// sits in the queue, and the listening socket stays readable for as long
// as it does. Ignoring it would make a level-triggered loop wake at once,
// fail again, and spin. So the server keeps one descriptor in reserve
// (spare), and spends it here: close it to make room, accept the client
// into that room and close the connection at once, then take the spare
// back.
func (s *server) refuseWithSpare() bool {
	// TODO(step 11): free the spare descriptor (unix.Close), accept the
	// waiting client into it (unix.Accept4) and, if one came, close it and
	// print "[WARN] Out of file descriptors; refusing a client". Then take
	// a new spare (openSpare: the number just freed is there for it, so
	// its error can be ignored). Report whether a client came.
	todo(11)
	return false
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

//go:build linux

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// acceptClients takes the clients waiting in the listening socket's queue.
func (s *server) acceptClients() error {
	// TODO(step 5): accept one client with unix.Accept4(s.ln,
	// unix.SOCK_CLOEXEC) and start serving it with s.addClient. On EAGAIN,
	// EINTR or ECONNABORTED, return nil: nobody to accept this time. On any
	// other error, return it, wrapped: os.NewSyscallError("accept4", err).
	//
	// TODO(step 7): give the client's socket SOCK_NONBLOCK too.
	//
	// TODO(step 10): accept in a loop until Accept4 fails with EAGAIN (the
	// queue is empty), and retry at once on EINTR and ECONNABORTED, and on
	// the network errors that accept(2) says to treat like EAGAIN.
	//
	// TODO(step 11): past s.cfg.maxClients clients, close the new socket at
	// once and print a [WARN] line. On EMFILE or ENFILE, refuse the client
	// with s.refuseWithSpare, and return when it says nobody was waiting.
	todo(5)
	return nil
}

// addClient starts serving the client connected on fd: epoll watches its
// socket, and the client gets its place in the table.
func (s *server) addClient(fd int) {
	// TODO(step 5): add fd to the interest list for unix.EPOLLIN. If that
	// fails, close fd and print a [WARN] line. Otherwise make room in
	// s.clients up to index fd, put a new client there (its lines buffer
	// from newLineBuffer(s.cfg.maxLine), its events unix.EPOLLIN), count it
	// in s.count, and print "[INFO] Client connected to server" with
	// s.log.detail.
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
	// TODO(step 11): close s.spare; accept a client with unix.Accept4 and,
	// if one came, close it and print a [WARN] line; open the spare again
	// with openSpare (s.spare, _ = openSpare(): the number just freed is
	// there for it). Report whether a client came: err == nil.
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

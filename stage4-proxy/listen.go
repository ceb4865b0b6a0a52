//go:build linux

package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// This file is Stage 3's set-up, unchanged: a socket, bound to host:port,
// listening, and non-blocking, so that accept(2) returns EAGAIN at once
// when no client is waiting.

// listen returns a TCP socket bound to host:port and listening for clients.
func listen(host [4]byte, port int) (int, error) {
	fd, err := openSocket()
	if err != nil {
		return -1, err
	}
	if err := bindAndListen(fd, host, port); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// openSocket asks the kernel for a new TCP socket to listen on; see
// socket(2).
func openSocket() (int, error) {
	// AF_INET is IPv4 and SOCK_STREAM is a reliable byte stream, which for
	// AF_INET means TCP. SOCK_CLOEXEC keeps the descriptor from leaking into
	// any program this one might start with exec. SOCK_NONBLOCK makes
	// accept(2) on it return EAGAIN at once when no client is waiting,
	// instead of putting the whole proxy to sleep until one comes.
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	// SO_REUSEADDR lets bind(2) take a port that still has connections in
	// TIME_WAIT from a previous run, so a restarted proxy starts at once.
	// See socket(7).
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("setsockopt", err)
	}
	return fd, nil
}

// bindAndListen gives fd its address and makes it a listening socket; see
// bind(2) and listen(2).
func bindAndListen(fd int, host [4]byte, port int) error {
	// SockaddrInet4 holds the port and address as plain Go values; the
	// package writes them in network byte order (big-endian) for the kernel.
	addr := &unix.SockaddrInet4{Port: port, Addr: host}
	if err := unix.Bind(fd, addr); err != nil {
		return fmt.Errorf("bind %d.%d.%d.%d:%d: %w", host[0], host[1], host[2], host[3], port, err)
	}
	// From here on the kernel completes handshakes by itself and queues up to
	// SOMAXCONN finished connections until accept(2) takes them. A proxy
	// with many clients arriving at once needs that queue long.
	if err := unix.Listen(fd, unix.SOMAXCONN); err != nil {
		return os.NewSyscallError("listen", err)
	}
	return nil
}

// localPort returns the port fd is bound to. With -port 0 the kernel chose
// it during bind, and getsockname(2) is how to find out which.
func localPort(fd int) (int, error) {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return 0, os.NewSyscallError("getsockname", err)
	}
	return sa.(*unix.SockaddrInet4).Port, nil
}

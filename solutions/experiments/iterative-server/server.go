//go:build linux

package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// run is the whole server: it listens, then serves clients one at a time,
// for ever. While it serves one client, the next ones wait in the listening
// socket's queue. It returns only when a system call fails in a way the
// server cannot go on from.
func run(cfg config) error {
	ln, err := listen(cfg.host, cfg.port)
	if err != nil {
		return err
	}
	defer unix.Close(ln)

	port, err := localPort(ln)
	if err != nil {
		return err
	}
	fmt.Printf("[INFO] Server listening on port %d\n", port)

	// The one change from the Stage 1 server: a loop around accept.
	for {
		conn, err := acceptClient(ln)
		if err != nil {
			return err
		}
		fmt.Println("[INFO] Client connected to server")
		serve(conn, cfg.maxLine)
		// Close the client's socket before taking the next client, or
		// every client served would leave a descriptor behind.
		unix.Close(conn)
		fmt.Println("[INFO] Client disconnected")
	}
}

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

// openSocket asks the kernel for a new TCP socket; see socket(2).
func openSocket() (int, error) {
	// AF_INET is IPv4 and SOCK_STREAM is a reliable byte stream, which for
	// AF_INET means TCP. SOCK_CLOEXEC keeps the descriptor from leaking into
	// any program this one might start with exec.
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	// SO_REUSEADDR lets bind(2) take a port that still has connections in
	// TIME_WAIT from a previous run, so a restarted server starts at once.
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
	// SOMAXCONN finished connections until accept(2) takes them.
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

// acceptClient waits for a client and returns a new descriptor for the
// connection to it; see accept(2). The listening socket stays as it was.
func acceptClient(ln int) (int, error) {
	for {
		// Accept4 blocks until a connection is queued. The address it
		// returns is the client's; this server has no use for it.
		conn, _, err := unix.Accept4(ln, unix.SOCK_CLOEXEC)
		switch err {
		case nil:
			return conn, nil
		case unix.EINTR, unix.ECONNABORTED:
			// Interrupted by a signal, or the client gave up while it
			// waited in the queue: neither is a reason to stop.
			continue
		default:
			return -1, os.NewSyscallError("accept", err)
		}
	}
}

// serve answers the client's lines until the client leaves: it closes its
// side of the connection, the connection breaks, or it sends a line longer
// than maxLine.
func serve(conn int, maxLine int) {
	buf := make([]byte, 4096)
	lines := newLineBuffer(maxLine)
	var reply []byte
	for {
		n, err := readSome(conn, buf)
		if err != nil {
			return // the connection broke, for example with ECONNRESET
		}
		if n == 0 {
			// End of file: the client closed its sending side and nothing
			// more will come. Answer what is left of an unterminated line.
			if rest := lines.rest(); len(rest) > 0 {
				answer(conn, rest, reply[:0])
			}
			return
		}
		lines.write(buf[:n])
		for {
			line, ok := lines.next()
			if !ok {
				break
			}
			if reply, err = answer(conn, line, reply[:0]); err != nil {
				return
			}
		}
		if lines.tooLong() {
			fmt.Printf("[WARN] Client sent a line longer than %d bytes; dropping the client\n", maxLine)
			return
		}
	}
}

// answer logs one line and sends back its reversal, using reply as scratch
// space. It returns the scratch space for the next line.
func answer(conn int, line, reply []byte) ([]byte, error) {
	fmt.Printf("[CLIENT MESSAGE] %s\n", printable(content(line)))
	reply = appendReversed(reply, line)
	return reply, writeAll(conn, reply)
}

// readSome reads what has arrived on fd into buf; see read(2). It blocks
// until at least one byte is there, and returns 0 at end of file.
func readSome(fd int, buf []byte) (int, error) {
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EINTR {
			continue // a signal interrupted the wait; nothing was read
		}
		if err != nil {
			return 0, os.NewSyscallError("read", err)
		}
		return n, nil
	}
}

// writeAll sends all of b; see write(2). Even a blocking write may send only
// part of b, for example when a signal arrives after some bytes went out, so
// it loops until nothing is left.
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.Write(fd, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("write", err)
		}
		b = b[n:]
	}
	return nil
}

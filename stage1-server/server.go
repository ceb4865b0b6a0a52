//go:build linux

package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// run is the whole server: it listens, waits for one client, answers its
// lines, and returns when that client has gone. It returns an error only when
// a system call fails in a way the server cannot go on from.
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

	conn, err := acceptClient(ln)
	if err != nil {
		return err
	}
	defer unix.Close(conn)
	fmt.Println("[INFO] Client connected to server")

	serve(conn, cfg.maxLine)
	fmt.Println("[INFO] Client disconnected. Closing server")
	return nil
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
	// TODO(step 1): return a new IPv4 TCP socket (unix.Socket with AF_INET,
	// SOCK_STREAM and SOCK_CLOEXEC) with SO_REUSEADDR turned on
	// (unix.SetsockoptInt, level SOL_SOCKET). Wrap an error with the name
	// of the call that failed (os.NewSyscallError); if setsockopt fails,
	// close the socket before returning.
	todo(1)
	return -1, nil
}

// bindAndListen gives fd its address and makes it a listening socket; see
// bind(2) and listen(2).
func bindAndListen(fd int, host [4]byte, port int) error {
	// TODO(step 2): bind fd to host:port (unix.Bind, a *unix.SockaddrInet4),
	// then make it listen (unix.Listen, backlog unix.SOMAXCONN). A bind
	// error names the address and wraps the kernel's error with %w, as in
	// "bind 127.0.0.1:8080: address already in use"; a listen error is
	// wrapped as "listen". Print nothing, and leave fd open.
	todo(2)
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
	// TODO(step 3): wait for a client with unix.Accept4 (SOCK_CLOEXEC) and
	// return the new connection's descriptor; the client's address is not
	// needed. Wait again on EINTR and ECONNABORTED; wrap any other error
	// as "accept".
	todo(3)
	return -1, nil
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
			// TODO(step 5): end of file: the client closed its sending side.
			// Answer what is left in lines.rest(), if anything, with
			// answer; then return, since reading again would give 0 again
			// at once, for ever.
			todo(5)
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
	// TODO(step 4): make one read into buf with unix.Read and return how
	// many bytes arrived: 0 at end of file, with a nil error. Read again on
	// EINTR; wrap any other error as "read".
	todo(4)
	return 0, nil
}

// writeAll sends all of b; see write(2). Even a blocking write may send only
// part of b, for example when a signal arrives after some bytes went out, so
// it loops until nothing is left.
func writeAll(fd int, b []byte) error {
	// TODO(step 4): send all of b with unix.Write, which may take only part
	// of it: call it again with what is left until nothing is. Try again on
	// EINTR; wrap any other error as "write".
	todo(4)
	return nil
}

// todo stops the program at a Step that is not done yet. Once every Step is
// done, nothing calls it and you can delete it.
func todo(step int) {
	fmt.Fprintf(os.Stderr, "[TODO] step %d is not done yet: see README.md, Step %d\n", step, step)
	os.Exit(3)
}

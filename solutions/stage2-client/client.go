//go:build linux

package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// connectTo opens a TCP socket and connects it to the server at host:port;
// see socket(2) and connect(2). It returns the connected socket. main prints
// an error from here after "Failed to connect to server:", so an error from
// connect itself is returned as the kernel's reason alone, such as
// "connection refused".
func connectTo(host [4]byte, port int) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	// There is no bind(2) here: during connect the kernel gives the socket
	// a local address of its own, with a free port from the ephemeral
	// range. connect blocks until the TCP handshake with the server is done.
	// ECONNREFUSED means the server's machine answered the first packet
	// with a reset: nothing listens on that port.
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: port, Addr: host}); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// talk sends each line of stdin to the server and prints the server's reply
// to it, one line at a time. It returns nil when stdin ends, and otherwise
// the error that stopped it, such as io.EOF when the server closed the
// connection.
func talk(fd int, stdin io.Reader) error {
	in := bufio.NewReader(stdin)
	replies := newReplyReader(fd)
	for {
		line, err := readInput(in)
		if err == io.EOF {
			return nil // the end of stdin: nothing more to send
		}
		if err != nil {
			return err
		}
		if err := sendAll(fd, line); err != nil {
			return err
		}
		// Lock-step: the next line of stdin is not even read until the
		// whole reply to this one has arrived and been printed.
		reply, err := replies.next()
		if len(reply) > 0 {
			fmt.Printf("[SERVER MESSAGE] %s\n", printable(content(reply)))
		}
		if err != nil {
			return err // io.EOF here is the server's end, not stdin's
		}
	}
}

// readInput returns the next line of stdin, always ending in '\n', or io.EOF
// once stdin has ended: the user pressed Ctrl-D at the start of a line, or a
// piped file ran out.
func readInput(in *bufio.Reader) ([]byte, error) {
	// ReadBytes returns a whole line however long it is. (bufio.Scanner
	// would refuse one over 64 KiB.) At the end of stdin it returns what
	// was left after the last '\n', perhaps nothing, with io.EOF.
	line, err := in.ReadBytes('\n')
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	if len(line) == 0 {
		return nil, io.EOF
	}
	if line[len(line)-1] != '\n' {
		// The last line of a file may lack its newline. The server
		// answers only complete lines, so give it one.
		line = append(line, '\n')
	}
	return line, nil
}

// sendAll sends all of b on the connection; see send(2). One call may send
// only part of b (a signal can interrupt a long send after some bytes went
// out), so it loops until nothing is left.
func sendAll(fd int, b []byte) error {
	for len(b) > 0 {
		// MSG_NOSIGNAL: should the connection be broken, report EPIPE as an
		// error and raise no SIGPIPE, whose default action kills a C
		// program. (Go's runtime already ignores SIGPIPE for descriptors
		// other than stdout and stderr; the flag says so where it matters,
		// at the call.) See send(2).
		n, err := unix.SendmsgN(fd, b, nil, nil, unix.MSG_NOSIGNAL)
		if err == unix.EINTR {
			continue // a signal arrived before anything was sent
		}
		if err != nil {
			return os.NewSyscallError("sendmsg", err)
		}
		b = b[n:]
	}
	return nil
}

// A replyReader reads the server's replies from the connection, one line at
// a time, however the bytes of each were split on the way.
type replyReader struct {
	fd      int
	buf     []byte // room for what one read(2) returns
	pending []byte // bytes received and not yet returned in a line
}

func newReplyReader(fd int) *replyReader {
	return &replyReader{fd: fd, buf: make([]byte, 4096), pending: make([]byte, 0, 4096)}
}

// next waits until the server's next line has arrived in full and returns
// it, terminator included; see read(2). If the connection ends first, it
// returns what arrived of the line (perhaps nothing) with the reason: io.EOF
// when the server closed the connection, or the read error. The line is
// only valid until the next call.
func (r *replyReader) next() ([]byte, error) {
	for {
		// Bytes left over from an earlier read may already hold the line.
		if i := bytes.IndexByte(r.pending, '\n'); i >= 0 {
			line := r.pending[:i+1]
			r.pending = r.pending[i+1:]
			return line, nil
		}
		n, err := unix.Read(r.fd, r.buf)
		if err == unix.EINTR {
			continue // a signal interrupted the wait; nothing was read
		}
		if err != nil {
			return r.pending, os.NewSyscallError("read", err)
		}
		if n == 0 {
			return r.pending, io.EOF // the server closed its side
		}
		r.pending = append(r.pending, r.buf[:n]...)
	}
}

// serverGone reports whether err, which stopped talk, means that the server
// has gone away rather than that something is wrong with this client.
func serverGone(err error) bool {
	// io.EOF: read(2) returned 0, so the server closed the connection.
	// ECONNRESET: the server's kernel answered with a reset, for example
	// because the server closed while data it never read was waiting.
	// EPIPE: a send on a connection that is already closed for sending.
	return errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET) || errors.Is(err, unix.EPIPE)
}

// content returns line without its terminator, "\n" or "\r\n".
func content(line []byte) []byte {
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
		if n > 0 && line[n-1] == '\r' {
			n--
		}
	}
	return line[:n]
}

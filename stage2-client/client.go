//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// connectTo opens a TCP socket and connects it to the server at host:port;
// see socket(2) and connect(2). It returns the connected socket. main prints
// an error from here after "Failed to connect to server:", so an error from
// connect itself is returned as the kernel's reason alone, such as
// "connection refused".
func connectTo(host [4]byte, port int) (int, error) {
	// TODO(step 1): add "golang.org/x/sys/unix" to the imports. Return an
	// IPv4 TCP socket (unix.Socket: AF_INET, SOCK_STREAM, SOCK_CLOEXEC)
	// connected with unix.Connect to host:port (a *unix.SockaddrInet4).
	// Wrap a socket error as "socket" (os.NewSyscallError). If connect
	// fails, close the socket and return connect's error unwrapped: main
	// prints it after "Failed to connect to server:".
	todo(1)
	return -1, nil
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
	// TODO(step 2): read the next line from in with ReadBytes, never with a
	// reader of your own. No bytes at all: return io.EOF. A last line
	// without its '\n' gets one added. Wrap an error other than io.EOF
	// with fmt.Errorf and %w, as "read stdin: ...".
	todo(2)
	return nil, nil
}

// sendAll sends all of b on the connection; see send(2). One call may send
// only part of b (a signal can interrupt a long send after some bytes went
// out), so it loops until nothing is left.
func sendAll(fd int, b []byte) error {
	// TODO(step 3): send all of b with unix.SendmsgN and the flag
	// unix.MSG_NOSIGNAL (no ancillary data, no address), calling it again
	// with what is left until nothing is. Try again on EINTR; wrap any
	// other error as "sendmsg".
	todo(3)
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
	// TODO(step 4): return the next whole line, '\n' included, as soon as
	// r.pending holds one (bytes.IndexByte; add "bytes" to the imports),
	// keeping the bytes after it in r.pending. Until then, read into r.buf
	// with unix.Read and add what arrived to r.pending. Read again on
	// EINTR. Another error: r.pending and the error wrapped as "read". A
	// read of 0 bytes: r.pending and io.EOF.
	todo(4)
	return nil, nil
}

// serverGone reports whether err, which stopped talk, means that the server
// has gone away rather than that something is wrong with this client.
func serverGone(err error) bool {
	// TODO(step 5): report true for io.EOF, unix.ECONNRESET and unix.EPIPE,
	// also when they are wrapped (errors.Is; add "errors" to the imports),
	// and false for anything else.
	todo(5)
	return false
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

// todo stops the program at a Step that is not done yet. Once every Step is
// done, nothing calls it and you can delete it.
func todo(step int) {
	fmt.Fprintf(os.Stderr, "[TODO] step %d is not done yet: see README.md, Step %d\n", step, step)
	os.Exit(3)
}

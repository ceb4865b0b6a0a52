package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"
)

// server holds what every client's goroutine shares.
type server struct {
	config
	// slots has room for maxClients tokens: a client takes one when it is
	// accepted and gives it back when it leaves.
	slots chan struct{}
	// spare is a descriptor held in reserve for when the process runs out
	// of them; see acceptOutOfFDs. Only the accept loop touches it.
	spare *os.File
}

// logf prints a per-client line, unless -quiet. Concurrent calls are safe:
// each is one write(2) to stdout, which the os package serialises.
func (s *server) logf(format string, a ...any) {
	if !s.quiet {
		fmt.Printf(format+"\n", a...)
	}
}

// acceptLoop accepts clients and starts a goroutine for each. It returns
// only when accept fails in a way it cannot go on from.
func (s *server) acceptLoop(ln net.Listener) error {
	s.spare, _ = os.Open(os.DevNull)
	for {
		conn, err := ln.Accept()
		if errors.Is(err, syscall.EMFILE) {
			conn, err = s.acceptOutOfFDs(ln)
		}
		if err != nil {
			return err
		}
		if conn == nil {
			continue // refused
		}
		select {
		case s.slots <- struct{}{}:
			s.logf("[INFO] Client connected to server")
			go s.serve(conn)
		default:
			conn.Close()
			fmt.Printf("[WARN] %d clients already connected (-max-clients): refusing a new client\n", s.maxClients)
		}
	}
}

// acceptOutOfFDs accepts the next client when the process has no file
// descriptor left. accept(2) then fails at once with EMFILE, whether a
// client is queued or not, so retrying would spin. Instead the spare
// descriptor is freed and Accept waits for a client to take its place. If
// no other descriptor has come free meanwhile, the spare cannot be taken
// back, so that client is refused: closed at once, with one [WARN] line.
// It returns a nil Conn for a refused client.
func (s *server) acceptOutOfFDs(ln net.Listener) (net.Conn, error) {
	s.spare.Close()
	conn, err := ln.Accept()
	s.spare, _ = os.Open(os.DevNull) // nil when conn took the last descriptor
	if err != nil || s.spare != nil {
		return conn, err
	}
	conn.Close()
	fmt.Println("[WARN] Out of file descriptors: refusing a new client")
	s.spare, _ = os.Open(os.DevNull)
	return nil, nil
}

// serve answers one client's lines until it leaves: it closes its side of
// the connection, the connection breaks, or it sends a line that is too long.
func (s *server) serve(conn net.Conn) {
	defer func() {
		conn.Close()
		<-s.slots
		s.logf("[INFO] Client disconnected")
	}()
	r := bufio.NewReader(conn)
	w := bufio.NewWriter(conn)
	var long []byte // where a line longer than r's buffer is assembled
	for {
		line, err := readLine(r, s.maxLine, &long)
		if len(line) > 0 { // a complete line, or the partial one left at end of file
			if !s.quiet { // spare the work of the log line under -quiet
				s.logf("[CLIENT MESSAGE] %s", printable(content(line)))
			}
			// The reply is built straight in the writer's free space.
			w.Write(appendReply(w.AvailableBuffer(), line))
		}
		if errors.Is(err, errTooLong) {
			w.Flush() // the lines before it are answered
			fmt.Printf("[WARN] Client sent a line longer than %d bytes; dropping the client\n", s.maxLine)
			return
		}
		if err != nil { // end of file (its partial line is answered above) or a broken connection
			w.Flush()
			return
		}
		// Replies wait in w while more lines are already buffered, so a
		// client that pipelines gets one write(2) for many replies. Before
		// the next read can block on the network, they must go out.
		if !lineBuffered(r) && w.Flush() != nil {
			return
		}
	}
}

// errTooLong says that a line is longer than the -max-line limit.
var errTooLong = errors.New("line too long")

// readLine returns the next line from r, its terminator included. At end of
// stream it returns what is left of an unterminated line, with io.EOF. A
// line longer than r's buffer is assembled in *long, which the caller keeps
// for next time. It returns errTooLong, and buffers no more, once a line is
// known to be longer than maxLine: when its "\n" arrives, when it fills r's
// 4 KiB buffer or another piece of it arrives, or at end of stream.
func readLine(r *bufio.Reader, maxLine int, long *[]byte) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		buf := append((*long)[:0], line...)
		for err == bufio.ErrBufferFull && !tooLong(buf, maxLine) {
			line, err = r.ReadSlice('\n')
			buf = append(buf, line...)
		}
		*long, line = buf, buf
	}
	switch {
	case tooLong(line, maxLine):
		return nil, errTooLong
	case err != nil && err != io.EOF:
		return nil, err // a broken connection: its partial line is not answered
	}
	return line, err
}

// tooLong reports whether line, complete or not, holds more than maxLine
// bytes of content. A final "\r" may still become part of a "\r\n", so it
// is not counted.
func tooLong(line []byte, maxLine int) bool {
	return len(bytes.TrimSuffix(content(line), []byte("\r"))) > maxLine
}

// lineBuffered reports whether r already holds a complete line, so that the
// next read returns without waiting for the network.
func lineBuffered(r *bufio.Reader) bool {
	b, _ := r.Peek(r.Buffered())
	return bytes.IndexByte(b, '\n') >= 0
}

// content returns line without its terminator, "\n" or "\r\n".
func content(line []byte) []byte {
	if text, ok := bytes.CutSuffix(line, []byte("\n")); ok {
		return bytes.TrimSuffix(text, []byte("\r"))
	}
	return line
}

// appendReply appends the reply to line: its content reversed character by
// character (a byte that is not valid UTF-8 counts as a character of its
// own), then the same terminator.
func appendReply(dst, line []byte) []byte {
	text := content(line)
	for rest := text; len(rest) > 0; {
		_, size := utf8.DecodeLastRune(rest)
		dst = append(dst, rest[len(rest)-size:]...)
		rest = rest[:len(rest)-size]
	}
	return append(dst, line[len(text):]...)
}

// printable returns b as it is when every character is printable, and
// otherwise in Go's quoted form without the outer quotes, so that control
// bytes and invalid UTF-8 never reach the terminal raw.
func printable(b []byte) string {
	s := string(b)
	isPrint := utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return !strconv.IsPrint(r) })
	if isPrint {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

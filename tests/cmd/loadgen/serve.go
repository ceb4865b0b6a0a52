package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// This file is -serve: the bulk server, the upstream that the bulk modes
// talk to through a proxy. Each connection carries one transfer, asked
// for by one line:
//
//	download SIZE SEED   the server sends SIZE bytes of stream SEED, then closes
//	upload SIZE SEED     SIZE bytes of stream SEED follow, then the client's
//	                     end of file; the server checks every byte and
//	                     answers "ok\n", or "error: ...\n" with the first
//	                     thing that was wrong, then closes

// bulkListening is the line -serve prints once it listens.
const bulkListening = "[INFO] Bulk server listening on port %d"

// serveBulk serves transfers on ln until ln is closed, each in a goroutine
// of its own, for as long as its peer keeps up: a connection that sends or
// takes nothing for timeout is dropped. The transfers under way when ln is
// closed go on until they end.
func serveBulk(ln net.Listener, timeout time.Duration) error {
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
		go func() {
			defer conn.Close()
			serveTransfer(conn, timeout)
		}()
	}
}

// serveTransfer reads the request line on conn and makes its transfer.
func serveTransfer(conn net.Conn, timeout time.Duration) {
	conn.SetReadDeadline(time.Now().Add(timeout))
	br := bufio.NewReader(conn)
	line, err := br.ReadSlice('\n')
	if err != nil {
		return // the client has gone, or never said what it wanted
	}
	mode, s, size, err := parseTransfer(string(line))
	if err != nil {
		conn.SetWriteDeadline(time.Now().Add(timeout))
		fmt.Fprintf(conn, "error: %v\n", err)
		return
	}
	buf := make([]byte, bulkChunk)
	if mode == modeDownload {
		sendStream(conn, s, size, buf, timeout)
		return // closing the connection ends the stream
	}
	answer := receiveStream(conn, br, s, size, buf, timeout)
	conn.SetWriteDeadline(time.Now().Add(timeout))
	io.WriteString(conn, answer)
}

// parseTransfer reads a request line: a mode, a size and a seed.
func parseTransfer(line string) (mode string, s stream, size int64, err error) {
	f := strings.Fields(line)
	if len(f) != 3 || !isBulk(f[0]) {
		return "", s, 0, fmt.Errorf("bad request %s: want \"download SIZE SEED\" or \"upload SIZE SEED\"", preview([]byte(line)))
	}
	size, err = strconv.ParseInt(f[1], 10, 64)
	if err != nil || size < 1 {
		return "", s, 0, fmt.Errorf("bad size %q in the request: want 1 or more", f[1])
	}
	if s.seed, err = strconv.ParseUint(f[2], 10, 64); err != nil {
		return "", s, 0, fmt.Errorf("bad seed %q in the request", f[2])
	}
	return f[0], s, size, nil
}

// sendStream writes size bytes of s to conn.
func sendStream(conn net.Conn, s stream, size int64, buf []byte, timeout time.Duration) {
	for sent := int64(0); sent < size; {
		n := int(min(int64(len(buf)), size-sent))
		s.fill(buf[:n], sent)
		conn.SetWriteDeadline(time.Now().Add(timeout))
		if _, err := conn.Write(buf[:n]); err != nil {
			return // the client has gone: it will say what went wrong
		}
		sent += int64(n)
	}
}

// receiveStream reads the stream that follows the request line, through
// br, up to the client's end of file, and returns the answer: okAnswer when
// it was size bytes of s, or else a line that says what was wrong first.
// It reads on after a wrong byte, so that the client, still sending, is not
// reset before it can read the answer.
func receiveStream(conn net.Conn, br *bufio.Reader, s stream, size int64, buf []byte, timeout time.Duration) string {
	var got int64
	var wrong string
	for {
		conn.SetReadDeadline(time.Now().Add(timeout))
		n, err := br.Read(buf)
		if n > 0 && wrong == "" {
			if i, want := s.mismatch(buf[:min(int64(n), size-got)], got); i >= 0 {
				wrong = fmt.Sprintf("byte %d of %d is %#02x, want %#02x", got+int64(i), size, buf[i], want)
			} else if got+int64(n) > size {
				wrong = fmt.Sprintf("more than the %d bytes announced", size)
			}
		}
		got += int64(n)
		switch {
		case err == nil:
			continue
		case err == io.EOF && wrong == "" && got < size:
			wrong = fmt.Sprintf("the stream ended after %d of %d bytes", got, size)
		case errors.Is(err, os.ErrDeadlineExceeded) && wrong == "":
			wrong = fmt.Sprintf("no byte within %v after %d of %d bytes", timeout, got, size)
		case errors.Is(err, os.ErrDeadlineExceeded):
		case err != io.EOF:
			return "" // the client has gone: nobody to answer
		}
		if wrong != "" {
			return "error: " + wrong + "\n"
		}
		return okAnswer
	}
}

// runServe is -serve: it listens on cfg.addr, prints the listening line,
// and serves transfers until SIGINT or SIGTERM. It returns the exit status.
func runServe(cfg config) int {
	ln, err := net.Listen("tcp4", cfg.addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
		return exitError
	}
	fmt.Printf(bulkListening+"\n", ln.Addr().(*net.TCPAddr).Port)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		ln.Close() // serveBulk returns, and the process ends with the transfers under way
	}()
	if err := serveBulk(ln, cfg.timeout); err != nil {
		fmt.Fprintf(os.Stderr, "loadgen: %v\n", err)
		return exitError
	}
	return exitOK
}

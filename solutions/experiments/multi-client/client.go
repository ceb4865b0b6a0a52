//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// A result is how one client fared.
type result struct {
	id   int
	took time.Duration // from before connecting until the whole reply arrived
	err  error         // why the client was not served; nil when it was
}

// errTimeout says that a client gave up waiting.
var errTimeout = errors.New("timed out")

// runClient is one client: it connects, sends one line, waits for the reply
// and checks it. It gives up when it has not been served within cfg.timeout.
// It tells done how it fared as soon as it knows; a client that was served
// then stays connected for cfg.hold before it closes.
func runClient(id int, cfg config, done func(result)) {
	start := time.Now()
	deadline := start.Add(cfg.timeout)
	fail := func(err error) {
		if errors.Is(err, errTimeout) {
			err = fmt.Errorf("no reply within %v", cfg.timeout)
		}
		done(result{id: id, err: err})
	}

	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		fail(os.NewSyscallError("socket", err))
		return
	}
	defer unix.Close(fd)
	// connect(2) blocks for as long as SO_SNDTIMEO allows; see socket(7).
	if err := setTimeout(fd, unix.SO_SNDTIMEO, deadline); err != nil {
		fail(err)
		return
	}
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: cfg.port, Addr: cfg.host}); err != nil {
		if err == unix.EINPROGRESS { // what connect says when SO_SNDTIMEO ran out
			err = errTimeout
		} else {
			err = os.NewSyscallError("connect", err)
		}
		fail(err)
		return
	}

	line := fmt.Sprintf("hello from client %d\n", id)
	if err := sendAll(fd, []byte(line)); err != nil {
		fail(err)
		return
	}
	reply, err := readLine(fd, deadline)
	if err != nil {
		fail(err)
		return
	}
	if want := reversed(line); !bytes.Equal(reply, want) {
		fail(fmt.Errorf("wrong reply %q, want %q", reply, want))
		return
	}
	done(result{id: id, took: time.Since(start)})

	// A client that stays a while keeps an iterative server busy, and shows
	// what the clients behind it go through.
	time.Sleep(cfg.hold)
}

// sendAll sends all of b; see send(2).
func sendAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := unix.SendmsgN(fd, b, nil, nil, unix.MSG_NOSIGNAL)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN { // SO_SNDTIMEO ran out
			return errTimeout
		}
		if err != nil {
			return os.NewSyscallError("sendmsg", err)
		}
		b = b[n:]
	}
	return nil
}

// readLine reads until a "\n" arrives and returns everything up to it. It
// gives up at deadline.
func readLine(fd int, deadline time.Time) ([]byte, error) {
	var got []byte
	buf := make([]byte, 4096)
	for {
		if i := bytes.IndexByte(got, '\n'); i >= 0 {
			return got[:i+1], nil
		}
		// SO_RCVTIMEO bounds each read(2), so set it to the time left.
		if err := setTimeout(fd, unix.SO_RCVTIMEO, deadline); err != nil {
			return nil, err
		}
		n, err := unix.Read(fd, buf)
		switch {
		case err == unix.EINTR:
			continue // with a timeout set, the kernel does not restart a read
		case err == unix.EAGAIN:
			return nil, errTimeout
		case err == unix.ECONNRESET:
			return nil, errors.New("the connection was reset before a reply")
		case err != nil:
			return nil, os.NewSyscallError("read", err)
		case n == 0:
			return nil, errors.New("the server closed the connection before a reply")
		}
		got = append(got, buf[:n]...)
	}
}

// setTimeout sets the socket option opt (SO_RCVTIMEO or SO_SNDTIMEO) to the
// time left until deadline.
func setTimeout(fd, opt int, deadline time.Time) error {
	left := time.Until(deadline)
	if left <= 0 {
		return errTimeout
	}
	tv := unix.NsecToTimeval(left.Nanoseconds())
	if tv.Sec == 0 && tv.Usec == 0 {
		tv.Usec = 1 // zero would mean "no timeout at all"
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, opt, &tv))
}

// reversed returns what the server answers to an ASCII line: its text
// reversed, then the newline.
func reversed(line string) []byte {
	text := []byte(line[:len(line)-1])
	slices.Reverse(text)
	return append(text, '\n')
}

package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
)

// proxy holds what every pair's goroutines share.
type proxy struct {
	config
	// slots has room for maxClients tokens: a client takes one when it is
	// accepted and gives it back when its pair is done.
	slots chan struct{}
	// spare is a descriptor held in reserve for when the process runs out
	// of them; see acceptOutOfFDs. Only the accept loop touches it.
	spare *os.File
}

// logf prints a per-client line, unless -quiet. Concurrent calls are safe:
// each is one write(2) to stdout, which the os package serialises.
func (p *proxy) logf(format string, a ...any) {
	if !p.quiet {
		fmt.Printf(format+"\n", a...)
	}
}

// acceptLoop accepts clients and starts a goroutine for each. It returns
// only when accept fails in a way it cannot go on from.
func (p *proxy) acceptLoop(ln *net.TCPListener) error {
	p.spare, _ = os.Open(os.DevNull)
	for {
		client, err := ln.AcceptTCP()
		if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
			client, err = p.acceptOutOfFDs(ln)
		}
		if err != nil {
			return err
		}
		if client == nil {
			continue // refused
		}
		select {
		case p.slots <- struct{}{}:
			go func() {
				defer func() { <-p.slots }()
				p.serve(client)
			}()
		default:
			client.Close()
			fmt.Printf("[WARN] Too many clients (-max-clients %d); refusing a client\n", p.maxClients)
		}
	}
}

// acceptOutOfFDs accepts the next client when the process has no file
// descriptor left: accept(2) then fails at once with EMFILE, whether a
// client is queued or not, so retrying would spin. Instead the spare
// descriptor is freed and Accept waits for a client to take its place. If
// no other descriptor has come free meanwhile, the spare cannot be taken
// back, so that client is refused: closed at once, with one [WARN] line.
// It returns a nil connection for a refused client.
func (p *proxy) acceptOutOfFDs(ln *net.TCPListener) (*net.TCPConn, error) {
	p.spare.Close()
	client, err := ln.AcceptTCP()
	p.spare, _ = os.Open(os.DevNull) // nil when client took the last descriptor
	if err != nil || p.spare != nil {
		return client, err
	}
	client.Close()
	fmt.Println("[WARN] Out of file descriptors; refusing a client")
	p.spare, _ = os.Open(os.DevNull)
	return nil, nil
}

// serve connects a client to the upstream and relays between them until
// both directions are done, or one side fails.
func (p *proxy) serve(client *net.TCPConn) {
	// The connected line is printed once the pair's second socket exists,
	// as stage4-proxy does: Control runs after socket(2) and before
	// connect(2). A client whose upstream socket cannot be opened is
	// refused, and is never "connected".
	d := net.Dialer{Control: func(string, string, syscall.RawConn) error {
		p.logf("[INFO] Client connected to proxy")
		return nil
	}}
	// The dial blocks this goroutine, and only this one, until the
	// handshake is done or has failed: the runtime parks it, and its
	// epoll loop goes on serving the others.
	conn, err := d.Dial("tcp4", p.upstream.String())
	if err != nil {
		client.Close()
		var se *os.SyscallError
		if errors.As(err, &se) && se.Syscall == "socket" {
			fmt.Printf("[WARN] Cannot open a socket for the upstream (%v); refusing a client\n", se)
			return
		}
		fmt.Printf("[WARN] Cannot connect to upstream %v: %v; closing the client\n", p.upstream, reason(err))
		return
	}
	up := conn.(*net.TCPConn)
	p.logf("[INFO] Connected to upstream")

	var sent int64
	var wg sync.WaitGroup
	wg.Go(func() { sent = relay(up, client) })
	received := relay(client, up)
	wg.Wait()
	client.Close()
	up.Close()
	p.logf("[INFO] Client disconnected (sent %d bytes, received %d bytes)", sent, received)
}

// relay copies what src sends to dst until src ends its sending, then ends
// dst's sending too (half-close), and returns the bytes copied. io.Copy
// finds that dst can take bytes straight from src (dst.ReadFrom), and on
// Linux that is splice(2). On an error, a reset most often, relay resets
// both connections, which also ends the copy in the other direction.
func relay(dst, src *net.TCPConn) int64 {
	n, err := io.Copy(dst, src)
	if err != nil {
		src.SetLinger(0) // close(2) then resets the connection
		dst.SetLinger(0)
		src.Close()
		dst.Close()
		return n
	}
	dst.CloseWrite()
	return n
}

// reason returns the system's own words for why a dial failed, such as
// "connection refused", without the "dial tcp4 ...: connect:" before them.
func reason(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

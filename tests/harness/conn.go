package harness

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// A Conn is one end of a TCP connection that a check drives: a client of a
// server under test, or the server a client under test connects to. What it
// sends and receives is recorded under its name.
type Conn struct {
	name   Who
	c      *net.TCPConn
	r      *bufio.Reader
	tr     *Transcript
	closed sync.Once
}

// Dial connects to addr ("127.0.0.1:8080") as name, such as "client 1".
func Dial(addr string, name Who, tr *Transcript) (*Conn, error) {
	c, err := net.DialTimeout("tcp4", addr, Scaled(5*time.Second))
	if err != nil {
		tr.Add(name, Note, "could not connect: "+err.Error())
		return nil, err
	}
	tr.Add(name, Note, "connected to "+addr)
	return newConn(c.(*net.TCPConn), name, tr), nil
}

func newConn(c *net.TCPConn, name Who, tr *Transcript) *Conn {
	// Without Nagle's algorithm each Send leaves at once as its own segment,
	// so the program sees the pieces a check meant it to see.
	c.SetNoDelay(true)
	return &Conn{name: name, c: c, r: bufio.NewReaderSize(c, 8<<10), tr: tr}
}

// Name returns the name the connection is recorded under.
func (c *Conn) Name() Who { return c.name }

// Send writes s.
func (c *Conn) Send(s string) error {
	c.tr.Add(c.name, In, s)
	c.c.SetWriteDeadline(time.Now().Add(Scaled(10 * time.Second)))
	_, err := io.WriteString(c.c, s)
	return c.noted("send", err)
}

// SendBlocking writes s with no deadline: for a sender that is meant to
// block while the other side does not read, in a goroutine of its own.
// Closing the connection (as the check's cleanup does) ends the wait.
func (c *Conn) SendBlocking(s string) error {
	c.tr.Add(c.name, In, s)
	c.c.SetWriteDeadline(time.Time{})
	_, err := io.WriteString(c.c, s)
	return c.noted("send", err)
}

// SendPieces writes each piece with its own write, pausing for gap between
// them. The pause does not synchronise anything: it only makes it likely
// that the other side's read(2) returns each piece on its own, the way a
// slow network would deliver them.
func (c *Conn) SendPieces(gap time.Duration, pieces ...string) error {
	for i, p := range pieces {
		if i > 0 {
			time.Sleep(gap)
		}
		if err := c.Send(p); err != nil {
			return err
		}
	}
	return nil
}

// ReadLine reads up to and including the next "\n". At end of file or on an
// error it returns what arrived before, with the error (io.EOF at end of
// file, ErrTimeout when the deadline passed).
func (c *Conn) ReadLine(timeout time.Duration) (string, error) {
	c.c.SetReadDeadline(time.Now().Add(Scaled(timeout)))
	s, err := c.r.ReadString('\n')
	return s, c.received(s, err)
}

// ReadFull reads exactly n bytes, or returns what arrived with the error.
func (c *Conn) ReadFull(n int, timeout time.Duration) (string, error) {
	c.c.SetReadDeadline(time.Now().Add(Scaled(timeout)))
	buf := make([]byte, n)
	got, err := io.ReadFull(c.r, buf)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return string(buf[:got]), c.received(string(buf[:got]), err)
}

// ReadToEOF reads until the other side closes the connection and returns
// everything that arrived. It returns nil at end of file.
func (c *Conn) ReadToEOF(timeout time.Duration) (string, error) {
	c.c.SetReadDeadline(time.Now().Add(Scaled(timeout)))
	b, err := io.ReadAll(c.r)
	return string(b), c.received(string(b), err)
}

// Quiet reads for d and returns whatever arrived; "" means nothing did, as
// a check that expects silence wants. Unlike the other reads, d is not
// scaled: it is how long to listen, not a deadline.
func (c *Conn) Quiet(d time.Duration) (string, error) {
	c.c.SetReadDeadline(time.Now().Add(d))
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := c.r.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				err = nil
			}
			return b.String(), c.received(b.String(), err)
		}
	}
}

func (c *Conn) received(s string, err error) error {
	if s != "" {
		c.tr.Add(c.name, Out, s)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		c.tr.Add(c.name, Note, "nothing more arrived before the deadline")
		return ErrTimeout
	}
	if err == io.EOF {
		c.tr.Add(c.name, Note, "end of file: the other side closed the connection")
		return io.EOF
	}
	return c.noted("receive", err)
}

func (c *Conn) noted(what string, err error) error {
	if err != nil {
		c.tr.Add(c.name, Note, fmt.Sprintf("%s failed: %v", what, err))
	}
	return err
}

// CloseWrite closes the sending side only (a half-close): the other side
// reads end of file, and replies can still come back.
func (c *Conn) CloseWrite() error {
	c.tr.Add(c.name, Note, "closed its sending side (half-close)")
	return c.noted("half-close", c.c.CloseWrite())
}

// Reset closes the connection abruptly: with SO_LINGER set to 0, close(2)
// sends a TCP reset instead of the usual orderly end.
func (c *Conn) Reset() error {
	err := net.ErrClosed
	c.closed.Do(func() {
		c.tr.Add(c.name, Note, "reset the connection (SO_LINGER 0, then close)")
		c.c.SetLinger(0)
		err = c.c.Close()
	})
	return err
}

// Close closes the connection the usual way.
// Closing again does nothing, so a check may close a connection and still
// leave the close to its cleanup.
func (c *Conn) Close() error {
	err := net.ErrClosed
	c.closed.Do(func() {
		c.tr.Add(c.name, Note, "closed the connection")
		err = c.c.Close()
	})
	return err
}

// A Listener is a TCP server on a free loopback port that a check controls,
// for testing a client.
type Listener struct {
	ln *net.TCPListener
	tr *Transcript
}

// Listen opens a Listener on 127.0.0.1 and a port the kernel chooses.
func Listen(tr *Transcript) (*Listener, error) {
	ln, err := net.ListenTCP("tcp4", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	return &Listener{ln: ln, tr: tr}, nil
}

// Port returns the port the Listener listens on.
func (l *Listener) Port() int { return l.ln.Addr().(*net.TCPAddr).Port }

// Accept waits for a connection and names it.
func (l *Listener) Accept(timeout time.Duration, name Who) (*Conn, error) {
	l.ln.SetDeadline(time.Now().Add(Scaled(timeout)))
	c, err := l.ln.AcceptTCP()
	if errors.Is(err, os.ErrDeadlineExceeded) {
		l.tr.Add(name, Note, "no connection came before the deadline")
		return nil, ErrTimeout
	}
	if err != nil {
		return nil, err
	}
	l.tr.Add(name, Note, "accepted a connection from "+c.RemoteAddr().String())
	return newConn(c, name, l.tr), nil
}

// Close stops listening.
func (l *Listener) Close() error { return l.ln.Close() }

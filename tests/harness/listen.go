package harness

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// Listeners that a check needs for a program that connects to a server of
// its own (a proxy): one that makes connecting hang, and one that reads
// slowly.

// ListenHanging opens a Listener whose accept queue holds a single
// connection: it listens with a backlog of 0 (see listen(2)). Once one
// connection waits in the queue, unaccepted, the kernel drops every new SYN
// instead of answering it, so a connect(2) to the port hangs in SYN
// retries (see tcp(7), tcp_syn_retries) until Accept makes room; the
// retry after that completes it. This is an upstream server that never
// answers, made on demand.
func ListenHanging(tr *Transcript) (*Listener, error) {
	return listenRaw(tr, 0, 0)
}

// ListenWithReceiveBuffer opens a Listener whose accepted connections have
// a receive buffer (SO_RCVBUF) of size bytes, set before any handshake so
// that the window they advertise stays small: a connection the check does
// not read from stops the other side's writes after a few kilobytes. See
// DialWithReceiveBuffer.
func ListenWithReceiveBuffer(tr *Transcript, size int) (*Listener, error) {
	return listenRaw(tr, syscall.SOMAXCONN, size)
}

// listenRaw opens a listening socket on 127.0.0.1 and a port the kernel
// chooses, with the given backlog and, when rcvbuf is not 0, receive
// buffer, which package net has no way to ask for.
func listenRaw(tr *Transcript, backlog, rcvbuf int) (*Listener, error) {
	fd, _, err := bindLoopback(rcvbuf)
	if err != nil {
		return nil, err
	}
	l, err := listenOn(fd, backlog, tr)
	if err != nil {
		return nil, err
	}
	switch {
	case backlog == 0:
		tr.Notef("listening on %s with a backlog of 0: one connection waiting fills the queue", l.Addr())
	case rcvbuf != 0:
		tr.Notef("listening on %s; each connection accepted has a %d-byte receive buffer (SO_RCVBUF)", l.Addr(), rcvbuf)
	}
	return l, nil
}

// bindLoopback returns a TCP socket bound to 127.0.0.1 and a port the
// kernel chooses, with a receive buffer of rcvbuf bytes unless it is 0,
// and that port.
func bindLoopback(rcvbuf int) (fd, port int, err error) {
	fd, err = syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, 0, os.NewSyscallError("socket", err)
	}
	if rcvbuf != 0 {
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf); err != nil {
			syscall.Close(fd)
			return -1, 0, os.NewSyscallError("setsockopt", err)
		}
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return -1, 0, os.NewSyscallError("bind", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return -1, 0, os.NewSyscallError("getsockname", err)
	}
	return fd, sa.(*syscall.SockaddrInet4).Port, nil
}

// listenOn makes fd, a bound socket, listen with backlog, and returns it
// as a Listener. fd is closed either way: the Listener holds a duplicate.
func listenOn(fd, backlog int, tr *Transcript) (*Listener, error) {
	f := os.NewFile(uintptr(fd), "listener")
	defer f.Close()
	if err := syscall.Listen(fd, backlog); err != nil {
		return nil, os.NewSyscallError("listen", err)
	}
	ln, err := net.FileListener(f) // a duplicate of fd, with the same queue
	if err != nil {
		return nil, err
	}
	return &Listener{ln: ln.(*net.TCPListener), tr: tr}, nil
}

// A ClosedPort is a port on 127.0.0.1 where connections are refused until
// Listen opens it: a socket is bound to it but does not listen yet, as in
// RefusingPort. It stands for a server that is down, then comes up.
type ClosedPort struct {
	fd, port int
	tr       *Transcript
}

// ReservePort returns a ClosedPort.
func ReservePort(tr *Transcript) (*ClosedPort, error) {
	fd, port, err := bindLoopback(0)
	if err != nil {
		return nil, err
	}
	return &ClosedPort{fd: fd, port: port, tr: tr}, nil
}

// Port returns the port.
func (p *ClosedPort) Port() int { return p.port }

// Addr returns the port's address, as "127.0.0.1:PORT".
func (p *ClosedPort) Addr() string { return fmt.Sprintf("127.0.0.1:%d", p.port) }

// Listen makes the port listen, and returns its Listener. The ClosedPort
// is used up.
func (p *ClosedPort) Listen() (*Listener, error) {
	fd := p.fd
	p.fd = -1
	p.tr.Notef("%s listens from now on", p.Addr())
	return listenOn(fd, syscall.SOMAXCONN, p.tr)
}

// Close gives the port up, if Listen has not.
func (p *ClosedPort) Close() error {
	if p.fd < 0 {
		return nil
	}
	fd := p.fd
	p.fd = -1
	return syscall.Close(fd)
}

// Addr returns the address the Listener listens on, as "127.0.0.1:PORT".
func (l *Listener) Addr() string { return fmt.Sprintf("127.0.0.1:%d", l.Port()) }

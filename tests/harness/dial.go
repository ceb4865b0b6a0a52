package harness

import (
	"net"
	"syscall"
	"time"
)

// DialWithReceiveBuffer connects to addr like Dial, with the socket's
// receive buffer (SO_RCVBUF) set to size bytes before the handshake, so
// that the window the connection advertises stays small. A client that
// does not read then stops the other side's writes sooner, after a few
// kilobytes rather than megabytes. See socket(7) and tcp(7); the kernel
// doubles the value it is given.
func DialWithReceiveBuffer(addr string, name Who, tr *Transcript, size int) (*Conn, error) {
	d := net.Dialer{
		Timeout: Scaled(5 * time.Second),
		Control: func(_, _ string, rc syscall.RawConn) error {
			var err error
			if cerr := rc.Control(func(fd uintptr) {
				err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, size)
			}); cerr != nil {
				return cerr
			}
			return err
		},
	}
	c, err := d.Dial("tcp4", addr)
	if err != nil {
		tr.Add(name, Note, "could not connect: "+err.Error())
		return nil, err
	}
	tr.Notef("%s asks for a %d-byte receive buffer (SO_RCVBUF)", name, size)
	tr.Add(name, Note, "connected to "+addr)
	return newConn(c.(*net.TCPConn), name, tr), nil
}

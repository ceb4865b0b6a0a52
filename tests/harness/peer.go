package harness

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// WaitRead waits until the program at the other end of c, on this machine,
// has read every byte sent on c: its kernel has acknowledged them all
// (SIOCOUTQ on c's socket is 0, see tcp(7)) and none is left in its
// socket's receive queue (rx_queue in /proc/net/tcp, see proc(5)). A check
// that sends a reply in pieces waits so before it sends the next piece, to
// be sure that the program got the piece on its own: a pause alone makes
// that only likely.
func (c *Conn) WaitRead(timeout time.Duration) error {
	local := c.c.LocalAddr().(*net.TCPAddr)
	remote := c.c.RemoteAddr().(*net.TCPAddr)
	deadline := time.Now().Add(Scaled(timeout))
	for {
		unacked, err := c.unacknowledged()
		if err != nil {
			return err
		}
		unread := 0
		if unacked == 0 {
			if unread, err = receiveQueue(remote, local); err != nil {
				return err
			}
		}
		if unacked == 0 && unread == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			c.tr.Add(c.name, Note, fmt.Sprintf("the other side did not read what was sent (%d bytes not acknowledged, %d not read)", unacked, unread))
			return ErrTimeout
		}
		time.Sleep(2 * time.Millisecond) // polling the kernel's counters: no event says "read"
	}
}

// unacknowledged returns how many bytes sent on c the other side's kernel
// has not acknowledged yet (SIOCOUTQ).
func (c *Conn) unacknowledged() (int, error) {
	rc, err := c.c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int32
	var errno syscall.Errno
	err = rc.Control(func(fd uintptr) {
		_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCOUTQ, uintptr(unsafe.Pointer(&n)))
	})
	if err == nil && errno != 0 {
		err = os.NewSyscallError("ioctl SIOCOUTQ", errno)
	}
	return int(n), err
}

// receiveQueue returns how many bytes wait unread in the receive queue of
// the IPv4 TCP socket whose local address is local and whose peer is
// remote, as /proc/net/tcp shows it.
func receiveQueue(local, remote *net.TCPAddr) (int, error) {
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	want := [2]string{procAddr(local), procAddr(remote)}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// sl local_address rem_address st tx_queue:rx_queue ...
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 || fields[1] != want[0] || fields[2] != want[1] {
			continue
		}
		_, rx, ok := strings.Cut(fields[4], ":")
		n, err := strconv.ParseUint(rx, 16, 32)
		if !ok || err != nil {
			return 0, fmt.Errorf("unexpected line in /proc/net/tcp: %q", sc.Text())
		}
		return int(n), nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no socket %v connected to %v in /proc/net/tcp", local, remote)
}

// procAddr writes an IPv4 address as /proc/net/tcp does: the address's
// four bytes read as one number in the machine's byte order, then the
// port, both in hexadecimal.
func procAddr(a *net.TCPAddr) string {
	ip := a.IP.To4()
	if ip == nil {
		return ""
	}
	return fmt.Sprintf("%08X:%04X", binary.NativeEndian.Uint32(ip), a.Port)
}

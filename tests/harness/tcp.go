package harness

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
)

// This file asks the kernel about TCP sockets, whoever holds them, through
// sock_diag(7): for a connection, where it is in its life and how many
// bytes wait in its queues. A check uses it to wait for what the kernel has
// done and no program can print, such as a connect(2) waiting for an
// answer, or a reset that has reached a program that is not running just
// then. (/proc/net/tcp says the same, but lists every socket of the
// machine, which can take a large part of a second to read.)

// The states of a TCP socket, as the kernel numbers them.
const (
	TCPEstablished = 1
	TCPSynSent     = 2
	TCPClose       = 7
)

// A TCPSocket is what the kernel says about one TCP socket.
type TCPSocket struct {
	Local, Remote netip.AddrPort
	State         int    // TCPEstablished, TCPSynSent, ...
	RecvQueue     int    // bytes received and not yet read by the program
	SendQueue     int    // bytes written and not yet acknowledged by the peer
	Inode         uint64 // the socket's inode: /proc/PID/fd shows it as socket:[inode]
}

// FindTCPSocket returns the IPv4 TCP socket whose local and remote
// addresses are the ones given, and whether there is one. A connection's
// two ends are two sockets: a program's end of a connection from
// 127.0.0.1:40000 to its port 8080 is local 127.0.0.1:8080, remote
// 127.0.0.1:40000. A socket ended by a reset is gone at once.
func FindTCPSocket(local, remote netip.AddrPort) (TCPSocket, bool, error) {
	socks, err := diag(local, remote, 0, false)
	if errors.Is(err, syscall.ENOENT) {
		return TCPSocket{}, false, nil
	}
	if err != nil || len(socks) == 0 {
		return TCPSocket{}, false, err
	}
	// The kernel's lookup falls back to a listening socket on the local
	// port, which is not the connection asked about.
	if s := socks[0]; s.Local == local && s.Remote == remote {
		return s, true, nil
	}
	return TCPSocket{}, false, nil
}

// TCPSocketsIn returns every IPv4 TCP socket of the network namespace that
// is in state, such as TCPSynSent.
func TCPSocketsIn(state int) ([]TCPSocket, error) {
	return diag(netip.AddrPort{}, netip.AddrPort{}, 1<<state, true)
}

// Netlink's and sock_diag's numbers, from linux/sock_diag.h and
// linux/inet_diag.h.
const (
	sockDiagByFamily = 20         // SOCK_DIAG_BY_FAMILY
	noCookie         = 0xffffffff // INET_DIAG_NOCOOKIE
	diagRequestSize  = 56         // struct inet_diag_req_v2
	diagMessageSize  = 72         // struct inet_diag_msg
)

// diag sends one sock_diag request: a dump of the sockets in the states
// given as bits, or a lookup of the one from local to remote.
func diag(local, remote netip.AddrPort, states uint32, dump bool) ([]TCPSocket, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, syscall.NETLINK_INET_DIAG)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	defer syscall.Close(fd)
	flags := uint16(syscall.NLM_F_REQUEST)
	if dump {
		flags |= syscall.NLM_F_DUMP
	} else {
		states = ^uint32(0)
	}
	req := make([]byte, syscall.NLMSG_HDRLEN+diagRequestSize)
	binary.NativeEndian.PutUint32(req[0:], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:], sockDiagByFamily)
	binary.NativeEndian.PutUint16(req[6:], flags)
	r := req[syscall.NLMSG_HDRLEN:]
	r[0], r[1] = syscall.AF_INET, syscall.IPPROTO_TCP
	binary.NativeEndian.PutUint32(r[4:], states)
	putSockID(r[8:], local, remote)
	dst := &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}
	if err := syscall.Sendto(fd, req, 0, dst); err != nil {
		return nil, os.NewSyscallError("sendto", err)
	}
	return readDiag(fd)
}

// putSockID writes a struct inet_diag_sockid: ports and addresses in
// network order, no interface, no cookie.
func putSockID(b []byte, local, remote netip.AddrPort) {
	binary.BigEndian.PutUint16(b[0:], local.Port())
	binary.BigEndian.PutUint16(b[2:], remote.Port())
	if local.Addr().Is4() {
		a := local.Addr().As4()
		copy(b[4:], a[:])
	}
	if remote.Addr().Is4() {
		a := remote.Addr().As4()
		copy(b[20:], a[:])
	}
	binary.NativeEndian.PutUint32(b[40:], noCookie)
	binary.NativeEndian.PutUint32(b[44:], noCookie)
}

// readDiag reads the kernel's answers until the end of a dump, or the one
// answer to a lookup.
func readDiag(fd int) ([]TCPSocket, error) {
	var socks []TCPSocket
	buf := make([]byte, 64<<10)
	for {
		n, _, err := syscall.Recvfrom(fd, buf, 0)
		if err != nil {
			return nil, os.NewSyscallError("recvfrom", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case syscall.NLMSG_DONE:
				return socks, nil
			case syscall.NLMSG_ERROR:
				if len(m.Data) >= 4 {
					if errno := -int32(binary.NativeEndian.Uint32(m.Data)); errno != 0 {
						return nil, syscall.Errno(errno)
					}
				}
				return socks, nil
			case sockDiagByFamily:
				if len(m.Data) < diagMessageSize {
					return nil, fmt.Errorf("sock_diag: a message of %d bytes", len(m.Data))
				}
				socks = append(socks, parseDiag(m.Data))
				if m.Header.Flags&syscall.NLM_F_MULTI == 0 {
					return socks, nil // the answer to a lookup
				}
			}
		}
	}
}

// parseDiag parses a struct inet_diag_msg.
func parseDiag(b []byte) TCPSocket {
	addr := func(port, ip []byte) netip.AddrPort {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip[:4])), binary.BigEndian.Uint16(port))
	}
	id := b[4:]
	return TCPSocket{
		State:     int(b[1]),
		Local:     addr(id[0:], id[4:]),
		Remote:    addr(id[2:], id[20:]),
		RecvQueue: int(binary.NativeEndian.Uint32(b[56:])),
		SendQueue: int(binary.NativeEndian.Uint32(b[60:])),
		Inode:     uint64(binary.NativeEndian.Uint32(b[68:])),
	}
}

// LocalAddr returns the address of the check's end of the connection.
func (c *Conn) LocalAddr() netip.AddrPort { return addrPort(c.c.LocalAddr()) }

// RemoteAddr returns the address of the other end of the connection.
func (c *Conn) RemoteAddr() netip.AddrPort { return addrPort(c.c.RemoteAddr()) }

func addrPort(a net.Addr) netip.AddrPort {
	ap := a.(*net.TCPAddr).AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// DescriptorOf returns the descriptor under which process pid has the
// socket with inode open, and whether it has.
func DescriptorOf(pid int, inode uint64) (int, bool, error) {
	fds, err := Descriptors(pid)
	if err != nil {
		return 0, false, err
	}
	want := fmt.Sprintf("socket:[%d]", inode)
	for fd, target := range fds {
		if target == want {
			return fd, true, nil
		}
	}
	return 0, false, nil
}

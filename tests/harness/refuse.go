package harness

import "syscall"

// RefusingPort returns a port on 127.0.0.1 where a connection is refused,
// for testing a client that has no server to connect to. A socket is bound
// to the port but never listens, so the kernel answers a connection attempt
// with a reset (ECONNREFUSED), and no other program can listen there until
// release is called.
func RefusingPort() (port int, release func(), err error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, nil, err
	}
	// Port 0: the kernel chooses a free port during bind. Without
	// SO_REUSEADDR, nobody else can bind it while fd holds it.
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return 0, nil, err
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		syscall.Close(fd)
		return 0, nil, err
	}
	return sa.(*syscall.SockaddrInet4).Port, func() { syscall.Close(fd) }, nil
}

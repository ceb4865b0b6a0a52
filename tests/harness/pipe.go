package harness

import (
	"syscall"
	"unsafe"
)

// fionread is the FIONREAD ioctl, "how many bytes wait to be read", on
// amd64 and arm64; package syscall does not name it for Linux.
const fionread = 0x541B

// Unread returns how many bytes the program has written to stdout and
// stderr that the harness has not read yet (FIONREAD on the pipes; see
// pipe(7)). A program that prints faster than a busy machine lets the
// harness read waits, blocked, once a pipe is full: then it is neither
// running nor printing, and only this shows that it is not idle.
func (p *Process) Unread() int {
	total := 0
	for _, f := range p.pipes {
		rc, err := f.SyscallConn()
		if err != nil {
			continue
		}
		var n int32
		rc.Control(func(fd uintptr) {
			if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, fionread, uintptr(unsafe.Pointer(&n))); errno != 0 {
				n = 0
			}
		})
		total += int(n)
	}
	return total
}

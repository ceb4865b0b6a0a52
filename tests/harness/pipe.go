package harness

import (
	"fmt"
	"os"
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
//
// The pipes' read ends belong to exec.Cmd, which copies from them, so the
// harness opens each pipe anew through /proc/PID/fd (see proc(5)): a pipe
// opened there for reading is the same pipe, and FIONREAD on it counts
// the same bytes. It is closed again at once, without reading.
func (p *Process) Unread() int {
	total := 0
	seen := map[string]bool{}
	for _, fd := range []int{1, 2} {
		path := fmt.Sprintf("/proc/%d/fd/%d", p.Pid(), fd)
		target, err := os.Readlink(path)
		if err != nil || seen[target] {
			continue // ended, or stdout and stderr are one pipe
		}
		seen[target] = true
		total += pipeUnread(path)
	}
	return total
}

// pipeUnread returns how many bytes wait in the pipe at path, or 0.
func pipeUnread(path string) int {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return 0
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return 0
	}
	var n int32
	rc.Control(func(fd uintptr) {
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, fionread, uintptr(unsafe.Pointer(&n))); errno != 0 {
			n = 0
		}
	})
	return int(n)
}

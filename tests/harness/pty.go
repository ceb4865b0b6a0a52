package harness

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// OpenPTY opens a new pseudo-terminal (pty(7)) and returns both ends: a
// program given the terminal end as its stdout writes to a real terminal,
// and what it writes can be read from the controlling end.
func OpenPTY() (control, terminal *os.File, err error) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, os.NewSyscallError("open /dev/ptmx", err)
	}
	control = os.NewFile(uintptr(fd), "/dev/ptmx")
	// unlockpt(3) and ptsname(3), as the C library does them.
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		control.Close()
		return nil, nil, os.NewSyscallError("ioctl TIOCSPTLCK", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		control.Close()
		return nil, nil, os.NewSyscallError("ioctl TIOCGPTN", err)
	}
	terminal, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		control.Close()
		return nil, nil, err
	}
	return control, terminal, nil
}

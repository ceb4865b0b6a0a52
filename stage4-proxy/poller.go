//go:build linux

package main

import (
	"os"

	"golang.org/x/sys/unix"
)

// maxEvents is how many ready descriptors one wait reports at most. More
// than that stay ready and are reported by the next wait.
const maxEvents = 128

// A poller is an epoll instance: a list of descriptors that the kernel
// watches for us (the interest list), and a way to sleep until some of them
// are ready. See epoll(7). It is Stage 3's poller, unchanged.
//
// This file is the mechanism only. What the proxy does about an event is
// in proxy.go and the files after it.
type poller struct {
	fd     int               // the epoll instance's own descriptor
	events []unix.EpollEvent // where wait has the kernel put the ready events
}

// newPoller creates an epoll instance; see epoll_create1(2).
func newPoller() (*poller, error) {
	// The instance is a descriptor like any other, so it gets CLOEXEC too.
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	return &poller{fd: fd, events: make([]unix.EpollEvent, maxEvents)}, nil
}

// close closes the epoll instance. The descriptors it watched stay open;
// see close(2) and epoll(7).
func (p *poller) close() error {
	return unix.Close(p.fd)
}

// add puts fd in the interest list, to be reported when one of events
// (such as EPOLLIN, "there is something to read") is ready; see
// epoll_ctl(2).
func (p *poller) add(fd int, events uint32) error {
	return p.control(unix.EPOLL_CTL_ADD, fd, events)
}

// modify changes the events fd is watched for.
func (p *poller) modify(fd int, events uint32) error {
	return p.control(unix.EPOLL_CTL_MOD, fd, events)
}

// remove takes fd out of the interest list. Call it before closing fd.
func (p *poller) remove(fd int) error {
	return p.control(unix.EPOLL_CTL_DEL, fd, 0)
}

func (p *poller) control(op, fd int, events uint32) error {
	// The kernel keeps a copy of ev and hands it back with every event on
	// fd. Its Fd field is our own label, and the descriptor itself is the
	// label we need: it says which socket an event is about. In C this
	// field is a union that may hold a pointer; in Go it must never hold
	// one, because the garbage collector cannot see the kernel's copy.
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	if err := unix.EpollCtl(p.fd, op, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// wait sleeps until at least one descriptor in the interest list is ready,
// then returns the ready events; see epoll_wait(2).
func (p *poller) wait() ([]unix.EpollEvent, error) {
	// A timeout of -1 means no timeout: the proxy has nothing to do until
	// something happens.
	n, err := unix.EpollWait(p.fd, p.events, -1)
	if err == unix.EINTR {
		// A signal arrived while we slept. epoll_wait is never restarted
		// after a signal handler runs, so it fails with EINTR. Nothing is
		// ready; the loop simply waits again.
		return nil, nil
	}
	if err != nil {
		return nil, os.NewSyscallError("epoll_wait", err)
	}
	return p.events[:n], nil
}

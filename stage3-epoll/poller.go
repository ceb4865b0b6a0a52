//go:build linux

package main

import (
	"golang.org/x/sys/unix"
)

// maxEvents is how many ready descriptors one wait reports at most. More
// than that stay ready and are reported by the next wait.
const maxEvents = 128

// A poller is an epoll instance: a list of descriptors that the kernel
// watches for us (the interest list), and a way to sleep until some of them
// are ready. See epoll(7).
//
// This file is the mechanism only. What the server does about an event is
// in server.go and the files after it.
type poller struct {
	fd     int               // the epoll instance's own descriptor
	events []unix.EpollEvent // where wait has the kernel put the ready events
}

// newPoller creates an epoll instance; see epoll_create1(2).
func newPoller() (*poller, error) {
	// TODO(step 1): create an epoll instance, close-on-exec
	// (unix.EpollCreate1, unix.EPOLL_CLOEXEC), and return a poller holding
	// its descriptor and maxEvents events for wait to fill. Return an error
	// wrapped with the call's name, os.NewSyscallError("epoll_create1",
	// err); "os" is not imported yet.
	todo(1)
	return nil, nil
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
	// TODO(step 2): apply op to fd in the interest list of p.fd
	// (unix.EpollCtl), with a unix.EpollEvent that holds events and, in its
	// Fd field, fd itself: that is how an event says which socket it is
	// about. Return an error wrapped as "epoll_ctl".
	todo(2)
	return nil
}

// wait sleeps until at least one descriptor in the interest list is ready,
// then returns the ready events; see epoll_wait(2).
func (p *poller) wait() ([]unix.EpollEvent, error) {
	// TODO(step 3): wait with no timeout (unix.EpollWait) and return the
	// part of p.events that the kernel filled. On unix.EINTR (a signal
	// interrupted the wait), return no events and no error: the loop waits
	// again. Any other error wrapped as "epoll_wait".
	todo(3)
	return nil, nil
}

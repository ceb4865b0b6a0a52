//go:build linux

package main

import (
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
)

// wakeOnSignal makes SIGINT (Ctrl-C) and SIGTERM (what kill sends) wake
// the event loop. It returns an eventfd, already in the interest list, that
// becomes readable when one of them arrives; see eventfd(2).
//
// The loop sleeps in epoll_wait, and epoll_wait wakes only for what is in
// its interest list. The Go runtime catches the signal and hands it to a
// channel, so one small goroutine waits on that channel and, when a signal
// comes, writes to the eventfd. That write is what wakes the loop.
func wakeOnSignal(poll *poller) (int, error) {
	fd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return -1, os.NewSyscallError("eventfd", err)
	}
	if err := poll.add(fd, unix.EPOLLIN); err != nil {
		unix.Close(fd)
		return -1, err
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, unix.SIGINT, unix.SIGTERM)
	go func() {
		<-signals
		// An eventfd holds an 8-byte counter; writing adds to it, and a
		// counter above zero makes the eventfd readable.
		unix.Write(fd, []byte{1, 0, 0, 0, 0, 0, 0, 0})
	}()
	return fd, nil
}

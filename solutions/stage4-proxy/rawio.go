//go:build linux

package main

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// This file is an optimisation that the Steps do not need. It is Stage 3's
// rawio.go, whose "C10K" section explains and measures it; the section
// "Measured" of this stage's README.md measures what it does for a proxy.
//
// rawRead, rawWrite and rawAccept make the same read(2), write(2) and
// accept4(2) calls as unix.Read, unix.Write and unix.Accept4, through
// unix.RawSyscall, which skips what the Go runtime does around a system
// call that might wait: tell the scheduler that the thread is leaving
// (entersyscall) and back (exitsyscall), so that its P, its permit to run
// Go code, can go to another thread meanwhile. On a busy proxy that costs
// the runtime futex(2) and nanosleep(2) calls of its own, about one per
// relayed chunk.
//
// That is safe only for a call that never waits, and these never do: every
// socket of the proxy is non-blocking (SOCK_NONBLOCK), so a read with
// nothing to read, a write with no room and an accept with nobody waiting
// return EAGAIN at once. It would be wrong for epoll_wait, which sleeps:
// the thread would keep its P throughout, and the garbage collector, which
// must stop every P for a moment, would wait for it (and so, with
// GOMAXPROCS=1, would the goroutine in signal.go). That is why poller.go
// waits with unix.EpollWait.

// rawRead is unix.Read for a non-blocking descriptor.
func rawRead(fd int, p []byte) (int, error) {
	n, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	return result(n, errno)
}

// rawWrite is unix.Write for a non-blocking descriptor.
func rawWrite(fd int, p []byte) (int, error) {
	n, _, errno := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
	return result(n, errno)
}

// rawAccept is unix.Accept4 for a non-blocking listening socket, less the
// client's address. unix.Accept4 asks the kernel for the address, in
// memory allocated for the purpose, and returns a copy, also allocated:
// garbage on every call, even the last of a round, which finds nobody
// waiting. The proxy never looks at the address, and accept4(2) takes NULL
// for it.
func rawAccept(fd int, flags int) (int, error) {
	nfd, _, errno := unix.RawSyscall6(unix.SYS_ACCEPT4, uintptr(fd), 0, 0, uintptr(flags), 0, 0)
	return result(nfd, errno)
}

// result turns what the kernel returned into a count and an error, as
// unix.Read does: an errno of 0 means success, and any other is the error,
// an Errno, so that comparisons such as err == unix.EAGAIN work as before.
func result(n uintptr, errno unix.Errno) (int, error) {
	if errno != 0 {
		return -1, errno
	}
	return int(n), nil
}

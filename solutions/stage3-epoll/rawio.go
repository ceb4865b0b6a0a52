//go:build linux

package main

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// This file is an optimisation that the Steps do not need: the "C10K"
// section of README.md measures it, and shows how to use it.
//
// rawRead and rawWrite make the same read(2) and write(2) calls as
// unix.Read and unix.Write, without the Go runtime's bookkeeping around
// them. unix.Read tells the runtime that the thread is entering the
// kernel and may stay there (entersyscall), and that it is back
// (exitsyscall). A thread needs a P, one of the runtime's GOMAXPROCS
// permits, to run Go code; while the call lasts, the runtime's monitor
// thread (sysmon) may give this thread's P to another thread, so that
// other goroutines can run, and the thread must then get one back when
// the call returns. On a busy server that bookkeeping costs futex(2) and
// nanosleep(2) calls of the runtime's own, about one per request.
//
// unix.RawSyscall makes the call without telling the runtime, and the
// thread keeps its P throughout. That is safe only for a call that never
// waits. A read or write on a socket opened with SOCK_NONBLOCK (Step 7) is
// such a call: it returns at once, with EAGAIN when there is nothing to
// read or no room to write. So is accept4 on the non-blocking listening
// socket.
//
// It would be wrong for anything that can wait. Whatever needs the P of a
// thread asleep in a raw call waits too: the garbage collector, which must
// stop every P for a moment, and the goroutines that need a P to run (with
// GOMAXPROCS=1, all of them, the one in signal.go among them). The runtime
// gets such a thread back only by interrupting it with a signal, which
// sysmon sends once a goroutine has kept its P for 10 ms. epoll_wait gives
// up at the signal (EINTR), so a raw epoll_wait would keep the collector
// and the goroutines waiting that long, and wake an idle server about fifty
// times a second for nothing. A read on a blocking socket would never give
// up: the kernel restarts it after the signal, and the collector would wait
// for ever. That is why poller.go waits with unix.EpollWait.

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
// client's address. unix.Accept4 always asks the kernel for the address,
// in memory allocated for the purpose, and returns a copy of it, also
// allocated: about 250 bytes per call, made even when nobody is waiting.
// This server never looks at the address, and accept4(2) takes NULL for
// it. That garbage is not a matter of speed but of memory: a server that
// accepts 10,000 clients makes more of it than the clients themselves take,
// and Go's garbage collector lets it build up for a while before it
// collects it.
func rawAccept(fd int, flags int) (int, error) {
	nfd, _, errno := unix.RawSyscall6(unix.SYS_ACCEPT4, uintptr(fd), 0, 0, uintptr(flags), 0, 0)
	return result(nfd, errno)
}

// result turns what the kernel returned into a count and an error, the way
// unix.Read does: an errno of 0 means success, and any other is the error.
// An errno is an error value of its own, so the callers' comparisons, such
// as err == unix.EAGAIN, work as they do with unix.Read.
func result(n uintptr, errno unix.Errno) (int, error) {
	if errno != 0 {
		return -1, errno
	}
	return int(n), nil
}

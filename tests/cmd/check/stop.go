//go:build linux

package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// stopContext returns a context that is cancelled when the command is asked
// to stop: by Ctrl-C (SIGINT), by kill (SIGTERM), when its terminal closes
// (SIGHUP), or when the process that started it ends; cancel cancels it
// too. Cancelling it stops the build or the check under way, and nothing
// more starts; the command then removes its temporary files and exits with
// status 130. The signals stay caught until release is called, so that a
// second Ctrl-C, or a SIGTERM that follows a SIGHUP, cannot cut that
// cleanup short (it takes a second or two at most: see
// harness.Process.Stop).
func stopContext() (ctx context.Context, cancel, release func()) {
	ctx, unnotify := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	ctx, cancel = context.WithCancel(ctx)
	// "go run" starts this command as its child. It ignores Ctrl-C, which
	// the terminal sends to both, but a SIGTERM ends it at once without
	// passing the signal on, and -watch would carry on for ever, a child of
	// init. The parent-death signal turns the parent's end into a SIGTERM
	// for us. (The kernel sends it when the thread that started us ends;
	// the go command's threads last as long as it does.) If the parent has
	// ended before the call, our parent is another process by now.
	parent := os.Getppid()
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGTERM), 0, 0, 0); err == nil && os.Getppid() != parent {
		cancel()
	}
	return ctx, cancel, func() {
		cancel()
		unnotify()
	}
}

// An output is where the report goes: a duplicate of stdout or stderr. A
// Go program that writes to its own stdout or stderr after the reader has
// gone, as in "check | head", dies of SIGPIPE on the spot, before it can
// stop its programs and remove its temporary files. A write to a duplicate
// fails with EPIPE instead, and the first such failure stops the run as a
// signal would.
type output struct {
	*os.File
	gone func()
}

// newOutput returns an output for f that calls gone when f's reader has
// gone. If f cannot be duplicated, it writes to f itself.
func newOutput(f *os.File, gone func()) output {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return output{f, gone}
	}
	return output{os.NewFile(uintptr(fd), f.Name()), gone}
}

func (o output) Write(b []byte) (int, error) {
	n, err := o.File.Write(b)
	if errors.Is(err, syscall.EPIPE) {
		o.gone()
	}
	return n, err
}

//go:build linux

package main

// wakeOnSignal makes SIGINT (Ctrl-C) and SIGTERM (what kill sends) wake
// the event loop. It returns an eventfd, already in the interest list, that
// becomes readable when one of them arrives; see eventfd(2).
func wakeOnSignal(poll *poller) (int, error) {
	// TODO(step 12): first give handle (server.go) its case for s.wake.
	// Then, here (importing "os", "os/signal" and "golang.org/x/sys/unix"):
	// create an eventfd with unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	// and add it to poll for EPOLLIN. Have signal.Notify send SIGINT and
	// SIGTERM to a channel, and start a goroutine that waits on it and then
	// writes 8 bytes, a count of 1, to the eventfd. Return the eventfd.
	// Until then, -1 stands for "no eventfd", and the signals stop the
	// server the rough way.
	return -1, nil
}

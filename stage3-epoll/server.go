//go:build linux

package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// readSize is the size of the one read buffer that all clients share. The
// loop serves one client at a time, so one buffer is enough for them all.
const readSize = 64 << 10

// A server is everything the event loop works with.
type server struct {
	cfg  config
	log  *logger
	poll *poller
	ln   int    // the listening socket
	wake int    // an eventfd that becomes readable when a stop signal arrives
	buf  []byte // the read buffer all clients share

	// clients holds each client's state at the index of its socket's
	// descriptor; the rest are nil. The kernel gives out the lowest free
	// descriptor numbers, so the slice stays about as long as the number
	// of clients, and finding a client is one index, with no map to hash.
	clients []*client
	count   int // how many clients are connected

	spare int // a descriptor kept in reserve, to refuse a client when out of them
}

// run is the whole server: it listens, then serves every client that
// comes until SIGINT or SIGTERM asks it to stop. It returns an error only
// when a system call fails in a way the server cannot go on from.
func run(cfg config) error {
	log := newLogger(cfg.quiet)
	defer log.flush()

	ln, err := listen(cfg.host, cfg.port)
	if err != nil {
		return err
	}
	defer unix.Close(ln)
	port, err := localPort(ln)
	if err != nil {
		return err
	}
	s, err := newServer(cfg, log, ln)
	if err != nil {
		return err
	}
	log.printf("[INFO] Server listening on port %d", port)
	return s.loop()
}

// newServer creates the epoll instance and puts the listening socket and
// the stop signal in its interest list. When a step fails, it closes what
// the steps before it opened, so that a failed newServer leaves nothing
// behind.
func newServer(cfg config, log *logger, ln int) (*server, error) {
	poll, err := newPoller()
	if err != nil {
		return nil, err
	}
	// EPOLLIN on a listening socket means "a client is waiting in the
	// queue": accept(2) has something to take.
	if err := poll.add(ln, unix.EPOLLIN); err != nil {
		poll.close()
		return nil, err
	}
	spare, err := openSpare()
	if err != nil {
		poll.close()
		return nil, err
	}
	// Last, because it starts a goroutine that cannot be taken back: once
	// the stop signal is wired up, nothing here fails any more.
	wake, err := wakeOnSignal(poll)
	if err != nil {
		unix.Close(spare)
		poll.close()
		return nil, err
	}
	return &server{
		cfg:   cfg,
		log:   log,
		poll:  poll,
		ln:    ln,
		wake:  wake,
		buf:   make([]byte, readSize),
		spare: spare,
	}, nil
}

// loop is the event loop: wait until something is ready, deal with each
// ready descriptor in turn, and wait again.
func (s *server) loop() error {
	// TODO(step 3): for ever: print "[DEBUG] Epoll wait" (s.log.detail),
	// flush the buffered log (s.log.flush), then wait (s.poll.wait). Return
	// a wait error. Give each event to s.handle, and return when it fails
	// or reports stop, with its error (nil for a stop).
	todo(3)
	return nil
}

// handle deals with one ready descriptor. It reports stop when the server
// should end.
func (s *server) handle(ev unix.EpollEvent) (stop bool, err error) {
	// TODO(step 4): the event is about the descriptor in ev.Fd. For the
	// listening socket, s.ln, accept the waiting clients (s.acceptClients)
	// and return its error. For any other, serve its client in s.clients
	// (s.serveClient, with ev.Events), or skip the event if that place is
	// nil: a client dropped earlier in the same round. Never stop here.
	// (Step 12 adds a third case, for s.wake.)
	todo(4)
	return false, nil
}

// todo stops the program at a Step that is not done yet. Once every Step is
// done, nothing calls it and you can delete it.
func todo(step int) {
	fmt.Fprintf(os.Stderr, "[TODO] step %d is not done yet: see README.md, Step %d\n", step, step)
	os.Exit(3)
}

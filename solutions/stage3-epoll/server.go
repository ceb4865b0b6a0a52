//go:build linux

package main

import (
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
	for {
		s.log.detail("[DEBUG] Epoll wait")
		s.log.flush() // everything so far is on stdout before we sleep
		events, err := s.poll.wait()
		if err != nil {
			return err
		}
		for _, ev := range events {
			stop, err := s.handle(ev)
			if stop || err != nil {
				return err
			}
		}
	}
}

// handle deals with one ready descriptor. It reports stop when the server
// should end.
func (s *server) handle(ev unix.EpollEvent) (stop bool, err error) {
	// The Fd field holds what we put there with epoll_ctl: the descriptor.
	switch fd := int(ev.Fd); fd {
	case s.ln:
		return false, s.acceptClients()
	case s.wake:
		s.log.printf("[INFO] Server shutting down")
		return true, nil
	default:
		// A client dropped earlier in this round leaves a nil here: its
		// event is stale, so skip it. (Had a new client been given the
		// same number meanwhile, a stale event would cost it no more than
		// a read that finds nothing.)
		if c := s.clients[fd]; c != nil {
			s.serveClient(c, ev.Events)
		}
		return false, nil
	}
}

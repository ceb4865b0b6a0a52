//go:build linux

package main

import (
	"golang.org/x/sys/unix"
)

// A proxy is everything the event loop works with.
type proxy struct {
	cfg      config
	log      *logger
	poll     *poller
	ln       int                 // the listening socket
	wake     int                 // an eventfd that becomes readable when a stop signal arrives
	upstream *unix.SockaddrInet4 // where every upstream connection goes, in the form connect(2) takes
	buf      []byte              // the read buffer all pairs share
	pool     bufferPool          // buffers for bytes that have to wait

	// pairs holds each pair at the index of both its descriptors, the
	// client's and the upstream's; the rest are nil. As in Stage 3, the
	// kernel gives out the lowest free descriptor numbers, so the slice
	// stays about twice as long as the number of pairs, and finding the
	// pair an event is about is one index.
	pairs []*pair
	count int // how many pairs are open

	spare int // a descriptor kept in reserve, to refuse a client when out of them
}

// run is the whole proxy: it listens, then relays for every client that
// comes until SIGINT or SIGTERM asks it to stop. It returns an error only
// when a system call fails in a way the proxy cannot go on from.
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
	s, err := newProxy(cfg, log, ln)
	if err != nil {
		return err
	}
	log.printf("[INFO] Proxy listening on port %d, upstream %v", port, cfg.upstream)
	return s.loop()
}

// newProxy creates the epoll instance and puts the listening socket and the
// stop signal in its interest list. When a step fails, it closes what the
// steps before it opened, so that a failed newProxy leaves nothing behind.
func newProxy(cfg config, log *logger, ln int) (*proxy, error) {
	upstream := upstreamAddr(cfg.upstream)
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
	return &proxy{
		cfg:      cfg,
		log:      log,
		poll:     poll,
		ln:       ln,
		wake:     wake,
		upstream: upstream,
		buf:      make([]byte, chunkSize),
		spare:    spare,
	}, nil
}

// loop is the event loop: wait until something is ready, deal with
// everything that is, and wait again.
func (s *proxy) loop() error {
	for {
		s.log.detail("[DEBUG] Epoll wait")
		s.log.flush() // everything so far is on stdout before we sleep
		events, err := s.poll.wait()
		if err != nil {
			return err
		}
		if stop, err := s.round(events); stop || err != nil {
			return err
		}
	}
}

// round deals with the events that one wait returned. It reports stop when
// the proxy should end.
func (s *proxy) round(events []unix.EpollEvent) (stop bool, err error) {
	accept := false
	for _, ev := range events {
		// The Fd field holds what we put there with epoll_ctl: the
		// descriptor.
		switch fd := int(ev.Fd); fd {
		case s.ln:
			accept = true // clients are waiting: see below
		case s.wake:
			s.log.printf("[INFO] Proxy shutting down")
			return true, nil
		default:
			// A pair closed earlier in this round has left nil at both
			// its descriptors: the event is stale, so skip it.
			if p := s.pairs[fd]; p != nil {
				s.serve(p, fd, ev.Events)
			}
		}
	}
	// New clients are accepted last, once every other event of the round
	// has been dealt with; that is what makes the nil check above enough.
	// A pair closed in this round has freed two descriptor numbers, and the
	// kernel hands out the lowest free numbers first. Accepted earlier, a
	// new client and its upstream socket could get those very numbers, and
	// an event still waiting in this round about the old pair would be
	// taken for theirs: an old EPOLLOUT, for one, would look like their
	// connect finishing. Accepting last, a number closed in a round is
	// reused in a later round at the soonest, whose events are all fresh.
	if accept {
		return false, s.acceptClients()
	}
	return false, nil
}

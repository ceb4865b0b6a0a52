package gallery

// Stage 3's broken programs: the mistakes learners make most with an event
// loop.

// s3AtEOF is what the solution does when a client's read returns end of
// file: what two of the mistakes change.
const s3AtEOF = `		c.eof = true
		if rest := c.lines.rest(); len(rest) > 0 {
			s.answer(c, rest)
		}
		return true`

var stage3Gallery = []Broken{
	{
		name: "exits-when-a-client-leaves",
		edits: []edit{{"client.go", `	s.log.detail("[INFO] Client disconnected")
}`, `	s.log.detail("[INFO] Client disconnected")
	s.log.flush()
	os.Exit(1) // as in Stage 1
}`}},
		fails: map[string]string{"M3": "the server ended (exit status 1) when one of its clients left"},
	},
	{
		name: "never-removes-or-closes",
		edits: []edit{{"client.go", `	s.poll.remove(c.fd)
	unix.Close(c.fd)
	s.clients[c.fd] = nil`, `	s.clients[c.fd] = nil`}},
		fails: map[string]string{"M3": "A client that has gone stays readable (end of file) for as long as its socket is watched"},
	},
	{
		// Step 8's slip: EPOLLOUT asked for whether or not anything waits.
		name: "always-asks-for-epollout",
		edits: []edit{{"client.go", `	if len(c.out) > 0 {
		events |= unix.EPOLLOUT
	}`, `	events |= unix.EPOLLOUT // to be told when the client can take more`}},
		fails: map[string]string{"M3": "still watches 1 of its clients for EPOLLOUT"},
	},
	{
		name: "forgets-to-close",
		edits: []edit{{"client.go", `	s.poll.remove(c.fd)
	unix.Close(c.fd)`, `	s.poll.remove(c.fd)`}},
		fails: map[string]string{"M3": "Close each client's socket once it has gone"},
	},
	{
		name: "blocking-client-sockets",
		edits: []edit{{"accept.go", `		fd, err := rawAccept(s.ln, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)`,
			`		fd, err := rawAccept(s.ln, unix.SOCK_CLOEXEC)`}},
		fails: map[string]string{
			"stalled": "The server is stuck in a write(2) to the client that does not read",
			"memory":  "The server is stuck in a write(2) to the client that does not read",
		},
	},
	{
		name:  "reads-without-bound",
		edits: []edit{{"client.go", `	if !c.eof && len(c.out) < maxPending {`, `	if !c.eof {`}},
		fails: map[string]string{"memory": "read none of the replies, the server's memory grew by"},
	},
	{
		name: "answers-first-line-only",
		edits: []edit{{"client.go", `	for {
		line, ok := c.lines.next()
		if !ok {
			break
		}
		s.answer(c, line)
	}`, `	if line, ok := c.lines.next(); ok {
		s.answer(c, line)
	}`}},
		fails: map[string]string{"M2": "got only the first one answered"},
	},
	{
		name:  "ignores-sigterm",
		edits: []edit{{"signal.go", `		unix.Write(fd, []byte{1, 0, 0, 0, 0, 0, 0, 0})`, `		_ = fd // the learner caught the signal and forgot to wake the loop`}},
		fails: map[string]string{"signals": "nothing woke the loop from EpollWait"},
	},
	{
		name: "spins-at-client-limit",
		edits: []edit{{"accept.go", `	for {
		// SOCK_NONBLOCK`, `	for {
		if s.count >= s.cfg.maxClients {
			return nil // full: leave the waiting clients in the queue
		}
		// SOCK_NONBLOCK`}},
		fails: map[string]string{"max-clients": "it spins"},
	},
	{
		name: "no-epoll-wait-line",
		edits: []edit{{"server.go", `		s.log.detail("[DEBUG] Epoll wait")
`, ``}},
		fails: map[string]string{"M1": "Print [DEBUG] Epoll wait and flush the log before calling EpollWait"},
	},
	{
		name: "never-flushes-the-log",
		edits: []edit{{"server.go", `		s.log.flush() // everything so far is on stdout before we sleep
`, ``}},
		fails: map[string]string{"M1": "The log is buffered"},
	},
	{
		name:  "net-with-a-goroutine-per-client",
		dir:   "solutions/experiments/goroutine-server",
		fails: map[string]string{"M1": "Print [DEBUG] Epoll wait and flush the log before calling EpollWait"},
	},
	{
		// The same, dressed up with the log lines an epoll server prints.
		name: "net-with-a-goroutine-per-client-and-fake-debug-lines",
		dir:  "solutions/experiments/goroutine-server",
		edits: []edit{{"server.go", `	for {
		conn, err := ln.Accept()`, `	for {
		s.logf("[DEBUG] Epoll wait")
		conn, err := ln.Accept()`}},
		fails: map[string]string{"M1": "as its data, not its descriptor"},
	},
	{
		name: "no-epollout",
		edits: []edit{{"client.go", `	if len(c.out) > 0 {
		events |= unix.EPOLLOUT
	}`, ``}},
		fails: map[string]string{
			"stalled":    "ask for EPOLLOUT, and write the rest when it comes",
			"half-close": "and watches its socket (descriptor",
		},
	},
	{
		name: "closes-at-eof-with-replies-pending",
		edits: []edit{{"client.go", s3AtEOF, `		c.eof = true
		if rest := c.lines.rest(); len(rest) > 0 {
			s.answer(c, rest)
		}
		s.drop(c)
		return false`}},
		fails: map[string]string{"half-close": "At end of file the server still had replies to write, and closed anyway"},
	},
	{
		// Flushing once at end of file writes what the socket has room
		// for, which is everything only when the client has been reading.
		name: "flushes-once-at-eof-then-closes",
		edits: []edit{{"client.go", s3AtEOF, `		c.eof = true
		if rest := c.lines.rest(); len(rest) > 0 {
			s.answer(c, rest)
		}
		s.flush(c) // one last write, then goodbye
		s.drop(c)
		return false`}},
		fails: map[string]string{"half-close": "At end of file the server still had replies to write, and closed anyway"},
	},
	{
		name: "out-of-descriptors-spins",
		edits: []edit{{"accept.go", `			if !s.refuseWithSpare() {
				return nil
			}
			continue`, `			return nil // the learner hoped it would pass`}},
		fails: map[string]string{"emfile": "it spins"},
	},
	{
		name:  "no-line-limit",
		edits: []edit{{"client.go", `	if c.lines.tooLong() {`, `	if false && c.lines.tooLong() {`}},
		fails: map[string]string{
			"long-line": "the server should drop a client that sends a line over the limit",
			"quiet":     "the server should drop a client that sends a line over the limit",
		},
	},
	{
		name: "fixed-size-client-table",
		edits: []edit{{"accept.go", `	for fd >= len(s.clients) {
		s.clients = append(s.clients, nil)
	}`, `	if s.clients == nil {
		s.clients = make([]*client, 256) // "enough for anyone"
	}
	if fd >= len(s.clients) {
		unix.Close(fd)
		return
	}`}},
		fails: map[string]string{"thousand": `of the 1000 "[INFO] Client connected to server" lines expected`},
	},
	{
		name: "answers-half-a-line-on-reset",
		edits: []edit{{"client.go", `	case err != nil:
		s.drop(c) // the connection broke, for example with ECONNRESET
		return false`, `	case err != nil:
		if rest := c.lines.rest(); len(rest) > 0 {
			s.answer(c, rest) // as at end of file
		}
		s.drop(c)
		return false`}},
		fails: map[string]string{"reset": "without answering its unfinished line"},
	},
	{
		name: "leaks-a-client-whose-write-fails",
		edits: []edit{{"client.go", `	if events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) != 0 && s.flush(c) != nil {
		s.drop(c)
		return
	}`, `	if events&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) != 0 && s.flush(c) != nil {
		s.poll.remove(c.fd) // the learner forgot close(2) here
		s.clients[c.fd] = nil
		s.count--
		return
	}`}},
		fails: map[string]string{"fd-leak": "EPOLL_CTL_DEL, then close(2)"},
	},
	{
		name: "ignores-quiet",
		edits: []edit{{"log.go", `	if !l.quiet {
		l.w.WriteString(line + "\n")
	}`, `	l.w.WriteString(line + "\n")`}},
		fails: map[string]string{"quiet": "with -quiet the server should print only its listening line and the [WARN] line"},
	},

	// Half-done Steps: programs as a learner has them between two Steps
	// of the lesson, or halfway through one, found on a walk through the
	// lesson. Each names what the hint must say at that moment.
	{
		// Step 12 done in signal.go, but not yet in handle.
		name: "eventfd-without-a-case-in-handle",
		edits: []edit{{"server.go", `	case s.wake:
		s.log.printf("[INFO] Server shutting down")
		return true, nil
`, ``}},
		fails: map[string]string{"signals": "add a case for s.wake"},
	},
	{
		// The same, with no nil check in handle either: the eventfd's
		// event reaches serveClient with no client, and it panics.
		name: "eventfd-without-a-case-or-a-nil-check",
		edits: []edit{{"server.go", `	case s.wake:
		s.log.printf("[INFO] Server shutting down")
		return true, nil
`, ``}, {"server.go", `		if c := s.clients[fd]; c != nil {
			s.serveClient(c, ev.Events)
		}`, `		s.serveClient(s.clients[fd], ev.Events)`}},
		fails: map[string]string{"signals": "It panicked"},
	},
	{
		// Step 7 done, Steps 8 and 9 not: interest is still the
		// skeleton's. Replies that did not fit wait for the next
		// event, and after end of file EPOLLIN is still asked for, so
		// every event answers the unfinished line once more.
		name: "interest-not-written-yet",
		edits: []edit{{"client.go", `	var events uint32
	if !c.eof && len(c.out) < maxPending {
		events |= unix.EPOLLIN
	}
	if len(c.out) > 0 {
		events |= unix.EPOLLOUT
	}
	return events`, `	return unix.EPOLLIN`}},
		fails: map[string]string{
			"stalled":    "ask for EPOLLOUT",
			"memory":     "stop asking epoll for EPOLLIN",
			"half-close": "Once c.eof is set, stop asking for EPOLLIN",
		},
	},
	{
		// Step 11's max-clients done, its EMFILE part not.
		name: "out-of-descriptors-is-fatal",
		edits: []edit{{"accept.go", `			if !s.refuseWithSpare() {
				return nil
			}
			continue`, `			return os.NewSyscallError("accept4", err)`}},
		// The server may end while a client connects, or while the check
		// waits for its line: either way the failure is the same.
		fails: map[string]string{"emfile": "when it ran out of descriptors, instead of refusing client"},
	},
}

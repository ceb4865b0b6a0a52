package tests

// Stage 3's broken programs: the mistakes learners make most with an event
// loop.

func init() {
	gallery = append(gallery,
		mistake{
			name: "exits-when-a-client-leaves", stage: 3,
			edits: []edit{{"client.go", `	s.log.detail("[INFO] Client disconnected")
}`, `	s.log.detail("[INFO] Client disconnected")
	s.log.flush()
	os.Exit(1) // as in Stage 1
}`}},
			fails: map[string]string{"M3": "the server ended (exit status 1) when one of its clients left"},
		},
		mistake{
			name: "never-removes-or-closes", stage: 3,
			edits: []edit{{"client.go", `	s.poll.remove(c.fd)
	unix.Close(c.fd)
	s.clients[c.fd] = nil`, `	s.clients[c.fd] = nil`}},
			fails: map[string]string{"M3": "it spins"},
		},
		mistake{
			name: "forgets-to-close", stage: 3,
			edits: []edit{{"client.go", `	s.poll.remove(c.fd)
	unix.Close(c.fd)`, `	s.poll.remove(c.fd)`}},
			fails: map[string]string{"M3": "Close each client's socket once it has gone"},
		},
		mistake{
			name: "blocking-client-sockets", stage: 3,
			edits: []edit{{"accept.go", `		fd, err := rawAccept(s.ln, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)`,
				`		fd, err := rawAccept(s.ln, unix.SOCK_CLOEXEC)`}},
			fails: map[string]string{
				"stalled": "The server is stuck in a write(2) to the client that does not read",
				"memory":  "The server is stuck in a write(2) to the client that does not read",
			},
		},
		mistake{
			name: "reads-without-bound", stage: 3,
			edits: []edit{{"client.go", `	if !c.eof && len(c.out) < maxPending {`, `	if !c.eof {`}},
			fails: map[string]string{"memory": "read none of the replies, the server's memory grew by"},
		},
		mistake{
			name: "answers-first-line-only", stage: 3,
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
		mistake{
			name: "ignores-sigterm", stage: 3,
			edits: []edit{{"signal.go", `		unix.Write(fd, []byte{1, 0, 0, 0, 0, 0, 0, 0})`, `		_ = fd // the learner caught the signal and forgot to wake the loop`}},
			fails: map[string]string{"signals": "nothing woke the loop from EpollWait"},
		},
		mistake{
			name: "spins-at-client-limit", stage: 3,
			edits: []edit{{"accept.go", `	for {
		// SOCK_NONBLOCK`, `	for {
		if s.count >= s.cfg.maxClients {
			return nil // full: leave the waiting clients in the queue
		}
		// SOCK_NONBLOCK`}},
			fails: map[string]string{"max-clients": "it spins"},
		},
		mistake{
			name: "no-epoll-wait-line", stage: 3,
			edits: []edit{{"server.go", `		s.log.detail("[DEBUG] Epoll wait")
`, ``}},
			fails: map[string]string{"M1": "Print [DEBUG] Epoll wait and flush the log before calling EpollWait"},
		},
		mistake{
			name: "never-flushes-the-log", stage: 3,
			edits: []edit{{"server.go", `		s.log.flush() // everything so far is on stdout before we sleep
`, ``}},
			fails: map[string]string{"M1": "The log is buffered"},
		},
		mistake{
			name: "net-with-a-goroutine-per-client", stage: 3,
			dir:   "solutions/experiments/goroutine-server",
			fails: map[string]string{"M1": "Print [DEBUG] Epoll wait and flush the log before calling EpollWait"},
		},
		mistake{
			// The same, dressed up with the log lines an epoll server prints.
			name: "net-with-a-goroutine-per-client-and-fake-debug-lines", stage: 3,
			dir: "solutions/experiments/goroutine-server",
			edits: []edit{{"server.go", `	for {
		conn, err := ln.Accept()`, `	for {
		s.logf("[DEBUG] Epoll wait")
		conn, err := ln.Accept()`}},
			fails: map[string]string{"M1": "as its data, not its descriptor"},
		},
		mistake{
			name: "no-epollout", stage: 3,
			edits: []edit{{"client.go", `	if len(c.out) > 0 {
		events |= unix.EPOLLOUT
	}`, ``}},
			fails: map[string]string{
				"stalled":    "ask for EPOLLOUT, and write the rest when it comes",
				"half-close": "then nothing more, and the connection still open",
			},
		},
		mistake{
			name: "closes-at-eof-with-replies-pending", stage: 3,
			edits: []edit{{"client.go", `		c.eof = true
		if rest := c.lines.rest(); len(rest) > 0 {
			s.answer(c, rest)
		}
		return true`, `		c.eof = true
		if rest := c.lines.rest(); len(rest) > 0 {
			s.answer(c, rest)
		}
		s.drop(c)
		return false`}},
			fails: map[string]string{"half-close": "At end of file the server still had replies to write, and closed anyway"},
		},
		mistake{
			name: "out-of-descriptors-spins", stage: 3,
			edits: []edit{{"accept.go", `			if !s.refuseWithSpare() {
				return nil
			}
			continue`, `			return nil // the learner hoped it would pass`}},
			fails: map[string]string{"emfile": "it spins"},
		},
		mistake{
			name: "no-line-limit", stage: 3,
			edits: []edit{{"client.go", `	if c.lines.tooLong() {`, `	if false && c.lines.tooLong() {`}},
			fails: map[string]string{
				"long-line": "the server should drop a client that sends a line over the limit",
				"quiet":     "the server should drop a client that sends a line over the limit",
			},
		},
		mistake{
			name: "fixed-size-client-table", stage: 3,
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
		mistake{
			name: "answers-half-a-line-on-reset", stage: 3,
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
		mistake{
			name: "leaks-a-client-whose-write-fails", stage: 3,
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
		mistake{
			name: "ignores-quiet", stage: 3,
			edits: []edit{{"log.go", `	if !l.quiet {
		l.w.WriteString(line + "\n")
	}`, `	l.w.WriteString(line + "\n")`}},
			fails: map[string]string{"quiet": "with -quiet the server should print only its listening line and the [WARN] line"},
		},
	)
}

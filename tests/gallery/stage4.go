package gallery

// Stage 4's broken programs: the mistakes of a proxy on an event loop.

var stage4Gallery = []Broken{
	{
		name: "blocking-connect",
		edits: []edit{{"pair.go", `unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)`,
			`unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)`}},
		fails: map[string]string{
			"hanging-connect": "Open the upstream socket with SOCK_NONBLOCK",
			"signals":         "Open the upstream socket with SOCK_NONBLOCK",
		},
	},
	{
		name: "so-error-ignored",
		edits: []edit{{"connect.go", `	if errno != 0 {
		s.cannotConnect(p, unix.Errno(errno))
		return
	}`, `	_ = errno // the learner never looks at the outcome`}},
		fails: map[string]string{"M3": "read SO_ERROR"},
	},
	{
		name: "goes-on-after-refusal",
		edits: []edit{{"connect.go", `		s.cannotConnect(p, unix.Errno(errno))
		return`, `		s.cannotConnect(p, unix.Errno(errno))`}},
		fails: map[string]string{"M3": "return from finishConnect right after it"},
	},
	{
		name: "closes-both-at-first-eof",
		edits: []edit{{"relay.go", `		f.eof = true // the sender has ended its sending: see exchange
		return nil`, `		return os.ErrClosed // the learner ends the pair at the first end of file`}},
		fails: map[string]string{"M3": "at an ordinary end of file"},
	},
	{
		name: "no-back-pressure",
		edits: []edit{
			{"relay.go", `	if events&(unix.EPOLLIN|unix.EPOLLHUP) != 0 && !out.eof && len(out.pending) == 0 {`,
				`	if events&(unix.EPOLLIN|unix.EPOLLHUP) != 0 && !out.eof {`},
			{"relay.go", `		f.pending = append(s.pool.get(), s.buf[written:n]...)`, `		f.pending = append(f.pending, s.buf[written:n]...)`},
			{"relay.go", `	written, err := write(to.fd, s.buf[:n])`, `	if len(f.pending) > 0 {
		f.pending = append(f.pending, s.buf[:n]...) // the learner keeps everything
		return nil
	}
	written, err := write(to.fd, s.buf[:n])`},
			{"relay.go", `	if !out.eof && len(out.pending) == 0 {
		events |= unix.EPOLLIN`, `	if !out.eof {
		events |= unix.EPOLLIN`},
			{"relay.go", `	if len(f.pending) == 0 {
		s.pool.put(f.pending)
		f.pending = nil
	}`, `	if len(f.pending) == 0 {
		f.pending = nil
	}`},
		},
		fails: map[string]string{
			"download": "its memory grew by",
			"upload":   "its memory grew by",
		},
	},
	{
		name: "upstream-fd-leak",
		edits: []edit{{"pair.go", `		unix.Close(x.fd)`, `		if x == &p.client {
			unix.Close(x.fd) // the upstream's socket is never closed
		}`}},
		fails: map[string]string{"M3": "closePair closes both of a pair's sockets"},
	},
	{
		// A full send buffer taken for a failure. The learner writes all of
		// a chunk, as Stage 1 did, and the write after a partial one meets
		// EAGAIN. (Changing only the EAGAIN case of the one write the
		// solution makes is the same mistake, but it shows only by chance:
		// the relay writes where there is room, and write(2) says EAGAIN
		// only when the socket's buffer is full exactly at a write's start,
		// which no check can arrange from outside.)
		name: "eagain-is-an-error",
		edits: []edit{{"relay.go", `	n, err := rawWrite(fd, b)
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return 0, nil
	case err != nil:
		return 0, os.NewSyscallError("write", err) // EPIPE or ECONNRESET: the receiver has gone
	}
	return n, nil`, `	total := 0
	for total < len(b) { // the learner writes it all, as in Stage 1
		n, err := rawWrite(fd, b[total:])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return total, os.NewSyscallError("write", err)
		}
		total += n
	}
	return total, nil`}},
		fails: map[string]string{"M2": "or says EAGAIN"},
	},
	{
		name: "forgets-drain-count",
		edits: []edit{{"relay.go", `	n, err := write(to.fd, f.pending)
	f.written += n`, `	n, err := write(to.fd, f.pending)`}},
		fails: map[string]string{
			"half-close": "the disconnect line does not count the bytes the proxy relayed",
			"download":   "the disconnect line does not count the bytes the proxy relayed",
			"upload":     "the disconnect line does not count the bytes the proxy relayed",
		},
	},
	{
		name: "no-epollout",
		edits: []edit{{"relay.go", `	if len(in.pending) > 0 {
		events |= unix.EPOLLOUT
	}`, ``}},
		fails: map[string]string{"M2": "ask for EPOLLOUT"},
	},
	{
		name:  "epollin-after-eof",
		edits: []edit{{"relay.go", `	if !out.eof && len(out.pending) == 0 {`, `	if len(out.pending) == 0 {`}},
		fails: map[string]string{"M3": "once out.eof is set, interest must ask for no EPOLLIN on it"},
	},
	{
		name:  "shuts-both-ways",
		edits: []edit{{"relay.go", `unix.Shutdown(to.fd, unix.SHUT_WR)`, `unix.Shutdown(to.fd, unix.SHUT_RDWR)`}},
		fails: map[string]string{"M3": "SHUT_RDWR, or close(2), would end the proxy's reading from it too"},
	},
	{
		// shutWrite is called again on every event, and once the peer
		// has closed too, shutdown(2) says ENOTCONN, which aborts the
		// pair with a reset.
		name: "shut-never-set",
		edits: []edit{{"relay.go", `	f.shut = true
`, ``}},
		fails: map[string]string{"M3": "shutWrite must set f.shut"},
	},
	{
		name: "short-write-dropped",
		edits: []edit{{"relay.go", `	if written < n {
		// The rest cannot stay in s.buf, which the next read, for any
		// pair, overwrites. It waits in a buffer of its own.
		f.pending = append(s.pool.get(), s.buf[written:n]...)
	}
`, ``}},
		fails: map[string]string{"M2": "for any pair, overwrites s.buf.\nrevisit: Step 5,"},
	},
	{
		name:  "pending-aliases-buf",
		edits: []edit{{"relay.go", `		f.pending = append(s.pool.get(), s.buf[written:n]...)`, `		f.pending = s.buf[written:n] // the learner keeps a slice of the shared buffer`}},
		fails: map[string]string{"M2": "for any pair, overwrites s.buf.\nrevisit: Step 5,"},
	},
	{
		name:  "epollout-never-cleared",
		edits: []edit{{"relay.go", `	var events uint32`, `	events := uint32(unix.EPOLLOUT) // the learner never clears it`}},
		fails: map[string]string{"M2": "stop once they are written (interest).\nrevisit: Step 6,"},
	},
	{
		name: "interest-in-out-swapped",
		edits: []edit{{"relay.go", `	if !out.eof && len(out.pending) == 0 {
		events |= unix.EPOLLIN`, `	if !out.eof && len(in.pending) == 0 { // the learner mixed up in and out
		events |= unix.EPOLLIN`}},
		fails: map[string]string{"M2": "the upstream's socket stays readable"},
	},
	{
		name:  "client-read-while-connecting",
		edits: []edit{{"pair.go", `s.poll.add(client, 0)`, `s.poll.add(client, unix.EPOLLIN)`}},
		fails: map[string]string{"hanging-connect": "watch the client for nothing (0)"},
		// A client that sends at once, as an HTTP client does, shows it
		// already, when its bytes arrive before the upstream connection
		// is up, which they nearly always do.
		mayFail: map[string]string{"M2": "watch the client for nothing (0)"},
	},
	{
		name: "no-stale-check",
		edits: []edit{{"proxy.go", `			if p := s.pairs[fd]; p != nil {
				s.serve(p, fd, ev.Events)
			}`, `			s.serve(s.pairs[fd], fd, ev.Events)`}},
		// The resets challenge makes both of a pair's events meet in one
		// round (it pauses the proxy); the challenges where many pairs
		// end meet them only by chance.
		fails: map[string]string{"resets": "panicked"},
		mayFail: map[string]string{
			"fd-leak": "panicked", "thousand": "panicked", "half-close": "panicked",
			"max-clients": "panicked", "emfile": "panicked", "signals": "panicked",
		},
	},
	{
		name:  "no-parking",
		edits: []edit{{"relay.go", `	if x.hungUp && want == 0 {`, `	if false && x.hungUp && want == 0 {`}},
		fails: map[string]string{"half-close": "watch parks it"},
	},
	{
		name: "closepair-forgets-the-table",
		edits: []edit{{"pair.go", `		s.pairs[x.fd] = nil
`, ``}},
		fails: map[string]string{
			"resets":  "it ended a pair twice",
			"fd-leak": "it ended a pair twice",
		},
	},
	{
		name:  "closepair-forgets-the-count",
		edits: []edit{{"pair.go", `	s.count--`, ``}},
		fails: map[string]string{
			"refused":     "closePair takes one from s.count",
			"max-clients": "closePair takes one from s.count",
		},
	},
	{
		name: "refused-pair-closed-twice",
		edits: []edit{{"connect.go", `		s.cannotConnect(p, unix.Errno(errno))
		return`, `		s.cannotConnect(p, unix.Errno(errno))
		s.closePair(p) // the learner did not read cannotConnect
		return`}},
		fails: map[string]string{"refused": "counted out more than once"},
	},
	{
		name: "upstream-socket-failure-keeps-the-client",
		edits: []edit{{"pair.go", `		unix.Close(client)
		s.log.printf("[WARN] Cannot open a socket for the upstream (%v); refusing a client", err)`,
			`		s.log.printf("[WARN] Cannot open a socket for the upstream (%v); refusing a client", err)`}},
		fails: map[string]string{"emfile": "close the client that was just accepted"},
	},
	{
		name: "fixed-size-pair-table",
		edits: []edit{{"pair.go", `	for max(client, upstream) >= len(s.pairs) {
		s.pairs = append(s.pairs, nil)
	}`, `	if s.pairs == nil {
		s.pairs = make([]*pair, 512) // "enough for anyone"
	}
	if max(client, upstream) >= len(s.pairs) {
		s.poll.remove(client)
		s.poll.remove(upstream)
		unix.Close(client)
		unix.Close(upstream)
		return nil, unix.EMFILE
	}`}},
		fails: map[string]string{"thousand": `of the 1000 "[INFO] Client connected to proxy" lines expected`},
	},
	{
		name: "stops-at-a-zero-byte",
		edits: []edit{{"relay.go", `	// Write at once, without waiting for EPOLLOUT`, `	if i := bytes.IndexByte(s.buf[:n], 0); i >= 0 {
		n = i // the learner treats the bytes as a C string
	}
	// Write at once, without waiting for EPOLLOUT`}, {"relay.go", `import (
	"os"`, `import (
	"bytes"
	"os"`}},
		fails: map[string]string{"binary": "write exactly the n bytes that read returned"},
	},
	{
		name:  "accepts-port-0-upstream",
		edits: []edit{{"flags.go", ` || up.Port() == 0 {`, ` {`}},
		fails: map[string]string{"bad-upstream": "it should have ended with exit status 2"},
	},
	{
		name:  "net-with-goroutines-per-direction",
		dir:   "solutions/experiments/goroutine-proxy",
		fails: map[string]string{"M1": "this stage's proxy is one epoll loop"},
	},
	{
		// The same, dressed up with the log lines an epoll loop prints.
		name: "net-with-goroutines-per-direction-and-fake-debug-lines",
		dir:  "solutions/experiments/goroutine-proxy",
		edits: []edit{{"proxy.go", `	for {
		client, err := ln.AcceptTCP()`, `	for {
		fmt.Println("[DEBUG] Epoll wait")
		client, err := ln.AcceptTCP()`}},
		fails: map[string]string{"M1": "as its data, not its descriptor"},
	},

	// Half-done Steps: the proxy as a learner has it between two Steps of
	// the lesson, each with the todo() stops of the Steps not done yet.
	{
		// Steps 1 to 5 done: drain stops at Step 6, interest is the
		// skeleton's, and Steps 7 and 8 stop too.
		name:  "steps-1-to-5-done",
		edits: append(stepsToDo(6, 7, 8), edit{"relay.go", interestBody, `	return unix.EPOLLIN`}),
		fails: map[string]string{"M2": "it spins"},
	},
	{
		// Steps 1 to 6 done: closePair and shutWrite stop, and interest
		// still asks for EPOLLIN after end of file. The refused upstream
		// comes first in Milestone 3, so that Step 7 is named before 8.
		name:  "steps-1-to-6-done",
		edits: append(stepsToDo(7, 8), edit{"relay.go", `	if !out.eof && len(out.pending) == 0 {`, `	if len(out.pending) == 0 {`}),
		fails: map[string]string{"M3": "the program stopped at Step 7"},
	},
	{
		name:  "steps-1-to-7-done",
		edits: append(stepsToDo(8), edit{"relay.go", `	if !out.eof && len(out.pending) == 0 {`, `	if len(out.pending) == 0 {`}),
		fails: map[string]string{"M3": "the program stopped at Step 8"},
	},
	{
		// Step 6's drain written, its change to interest not yet: every
		// socket is still watched for EPOLLIN alone.
		name:  "interest-not-written-yet",
		edits: []edit{{"relay.go", interestBody, `	return unix.EPOLLIN`}},
		fails: map[string]string{"M2": "it spins"},
	},
}

// interestBody is the body of the solution's interest, which the
// skeleton's stands in for until Step 6: EPOLLIN, always.
const interestBody = `	var events uint32
	// EPOLLIN: more to read, but only while its last bytes have all been
	// passed on. A sender is paused while its receiver is slow: its bytes
	// wait in the kernel, and then TCP holds it back. That is
	// back-pressure. And not after its end of file, which stays readable
	// for ever.
	if !out.eof && len(out.pending) == 0 {
		events |= unix.EPOLLIN
	}
	// EPOLLOUT: room to write, but only while bytes wait for it. A socket
	// almost always has room, so asking with nothing to write would wake
	// the loop again and again for nothing.
	if len(in.pending) > 0 {
		events |= unix.EPOLLOUT
	}
	return events`

// stepsToDo returns the edits that put the skeleton's todo() stop, as its
// first statement, in the function of each of steps, which must be 6, 7
// or 8 (drain, closePair, shutWrite), and the todo function itself.
func stepsToDo(steps ...int) []edit {
	stops := map[int]edit{
		6: {"relay.go", `func (s *proxy) drain(to *side, f *flow) error {
`, `func (s *proxy) drain(to *side, f *flow) error {
	todo(6)
`},
		7: {"pair.go", `func (s *proxy) closePair(p *pair) {
`, `func (s *proxy) closePair(p *pair) {
	todo(7)
`},
		8: {"relay.go", `func shutWrite(to *side, f *flow) error {
`, `func shutWrite(to *side, f *flow) error {
	todo(8)
`},
	}
	edits := []edit{{"relay.go", `import (
	"os"
`, `import (
	"fmt"
	"os"
`}, {"relay.go", `// A flow is one direction`, `func todo(step int) {
	fmt.Fprintf(os.Stderr, "[TODO] step %d is not done yet: see README.md, Step %d\n", step, step)
	os.Exit(3)
}

// A flow is one direction`}}
	for _, n := range steps {
		edits = append(edits, stops[n])
	}
	return edits
}

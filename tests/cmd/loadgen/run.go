package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// The modes of a run.
const (
	modeClosed    = "closed"    // each connection: one request, wait for its reply, repeat
	modePipelined = "pipelined" // each connection keeps depth requests in flight
	modeIdle      = "idle"      // each connection: one request, then silence
	modeDownload  = "download"  // each connection: one bulk transfer from the bulk server (bulk.go)
	modeUpload    = "upload"    // each connection: one bulk transfer to the bulk server
)

// config is what a run does; see the package documentation for each field's flag.
type config struct {
	addr     string        // -addr: the server, host:port
	conns    int           // -conns: connections to open
	duration time.Duration // -duration: how long to measure
	size     int           // -size: line length in bytes, without "\n"; in the bulk modes, bytes per transfer
	mode     string        // -mode
	depth    int           // -depth: requests in flight per connection (pipelined)
	pid      int           // -pid: the server's process, 0 for none
	ramp     int           // -ramp: most connections opened and not yet answered
	timeout  time.Duration // -timeout: for a connect, a write and each reply
	requests int64         // -requests: end the measurement after this many; 0 for no limit
	label    string        // -label: names the run in the summary
	serve    bool          // -serve: be the bulk server instead
}

// The phases of a run, in order.
const (
	warmingUp int32 = iota // connections are being opened; nothing is recorded
	measuring              // replies are counted and timed
	draining               // no new requests; the replies still due are checked
)

// describedErrors is how many errors a summary describes; the rest are
// only counted.
const describedErrors = 5

// A runner is the state of one run, shared by every connection.
type runner struct {
	cfg   config
	pool  *linePool  // nil in the bulk modes
	rng   *rand.Rand // for the pool and the ramp only: not safe for concurrent use
	hist  histogram
	phase atomic.Int32

	opened       atomic.Int64  // connections opened
	waiting      atomic.Int64  // connections opened and waiting for their first reply
	measureStart atomic.Int64  // when the measurement started, in Unix nanoseconds
	replies      atomic.Int64  // replies checked in any phase, for the progress line
	bytes        atomic.Int64  // bulk modes: bytes checked (download) or sent (upload), in any phase
	stopping     chan struct{} // closed when the measurement ends
	enough       chan struct{} // closed when cfg.requests replies have been measured
	once         sync.Once     // closes enough

	workers sync.WaitGroup // one per open connection
	settled sync.WaitGroup // one per connection still waiting for its first reply

	mu        sync.Mutex
	errors    int64         // every error, the connections not opened included
	failures  []string      // the first describedErrors descriptions
	notOpened int           // connections not opened because of an earlier error
	failed    chan struct{} // closed at the first error
	held      []net.Conn    // idle connections, closed at the end
}

func newRunner(cfg config) *runner {
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	r := &runner{
		cfg:      cfg,
		rng:      rng,
		stopping: make(chan struct{}),
		enough:   make(chan struct{}),
		failed:   make(chan struct{}),
	}
	if !isBulk(cfg.mode) {
		r.pool = newLinePool(rng, cfg.size)
	}
	return r
}

// run opens the connections, measures for cfg.duration (or until
// cfg.requests replies, or until ctx is done), lets the replies still due
// arrive, and returns what it measured. Wrong replies and failed
// connections are counted in the summary, not returned: the error is for a
// run that could not start, such as a -pid that names no process.
func run(ctx context.Context, cfg config, p progress) (summary, error) {
	s := summary{
		label: cfg.label, mode: cfg.mode, conns: cfg.conns, depth: cfg.depth, size: cfg.size,
		serverCPU: -1, rssBefore: -1, rssLast: -1,
	}
	if cfg.mode != modePipelined {
		s.depth = 1
	}
	if cfg.pid > 0 {
		var err error
		if s.rssBefore, err = rss(cfg.pid); err != nil {
			return s, fmt.Errorf("-pid %d: %w", cfg.pid, err)
		}
	}
	r := newRunner(cfg)
	stopProgress := p.start(r)

	r.ramp(ctx)
	select {
	case <-waitDone(&r.settled):
	case <-ctx.Done():
	}

	// The measurement starts once every connection has had its first reply
	// (or failed), so it sees the server in its steady state.
	t0, cpu0, client0, bytes0 := time.Now(), serverCPU(cfg.pid), selfCPUTime(), r.bytes.Load()
	r.measureStart.Store(t0.UnixNano())
	r.phase.Store(measuring)
	r.waitMeasured(ctx, cfg)
	r.phase.Store(draining)
	t1, cpu1, client1, bytes1 := time.Now(), serverCPU(cfg.pid), selfCPUTime(), r.bytes.Load()
	if cfg.pid > 0 {
		s.rssLast, _ = rss(cfg.pid)
		if s.rssLast == 0 { // the server has gone
			s.rssLast = -1
		}
	}
	close(r.stopping)
	r.workers.Wait() // every wait for a reply has a deadline, so this ends
	r.closeHeld()
	stopProgress()

	s.duration = t1.Sub(t0)
	s.bytes = bytes1 - bytes0
	s.requests = r.hist.count()
	if cfg.mode == modeIdle {
		s.requests = r.replies.Load() // the one request of each connection
	}
	s.p50, s.p99, s.max = r.hist.quantile(0.50), r.hist.quantile(0.99), r.hist.maximum()
	if cpu0 >= 0 && cpu1 >= 0 {
		s.serverCPU = cpu1 - cpu0
	}
	s.clientCPU = client1 - client0
	r.mu.Lock()
	s.errors, s.failures, s.notOpened = r.errors, r.failures, r.notOpened
	r.mu.Unlock()
	return s, nil
}

// waitMeasured waits until the measurement is over: cfg.duration has
// passed, cfg.requests replies have come, no connection is left to
// measure, or ctx is done.
func (r *runner) waitMeasured(ctx context.Context, cfg config) {
	timer := time.NewTimer(cfg.duration)
	defer timer.Stop()
	var allFailed <-chan struct{} // nil, which never fires, in idle mode
	if cfg.mode != modeIdle {
		allFailed = waitDone(&r.workers) // no connection left to measure
	}
	select {
	case <-timer.C:
	case <-r.enough:
	case <-allFailed:
	case <-ctx.Done():
	}
}

// serverCPU returns the CPU time process pid has used, or -1 when there is
// no pid or it cannot be read.
func serverCPU(pid int) time.Duration {
	if pid <= 0 {
		return -1
	}
	d, err := cpuTime(pid)
	if err != nil {
		return -1
	}
	return d
}

// ramp opens the connections one by one and starts a client on each. It
// never has more than cfg.ramp of them waiting for their first reply: a
// connection the server has not accepted yet sits in its listen backlog,
// and a backlog that overflows drops handshakes, which then retry a second
// or more later and would spoil every latency measured. The first failure
// ends the ramp: a server that fails one connection is not worth loading
// with more, and the connections not opened are counted as errors.
func (r *runner) ramp(ctx context.Context) {
	slots := make(chan struct{}, r.cfg.ramp)
	dialer := net.Dialer{Timeout: r.cfg.timeout}
	for id := 1; id <= r.cfg.conns; id++ {
		select {
		case slots <- struct{}{}:
		case <-r.failed:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			return
		}
		if isClosed(r.failed) {
			r.mu.Lock()
			r.notOpened = r.cfg.conns - id + 1
			r.errors += int64(r.notOpened)
			r.mu.Unlock()
			return
		}
		conn, err := dialer.DialContext(ctx, "tcp4", r.cfg.addr)
		if err != nil {
			<-slots
			if ctx.Err() == nil {
				r.fail(fmt.Sprintf("conn %d: could not connect: %v", id, err))
			}
			continue // the next turn stops the ramp
		}
		r.opened.Add(1)
		r.waiting.Add(1)
		r.settled.Add(1)
		c := newClient(r, id, conn, func() {
			<-slots
			r.waiting.Add(-1)
			r.settled.Done()
		})
		r.workers.Add(1)
		go func() {
			defer r.workers.Done()
			c.run()
		}()
	}
}

// done records a checked reply that took d from request to reply.
func (r *runner) done(d time.Duration) {
	r.replies.Add(1)
	if r.phase.Load() != measuring {
		return
	}
	if n := r.hist.record(d); n == r.cfg.requests {
		r.once.Do(func() { close(r.enough) })
	}
}

// fail counts an error, described by desc.
func (r *runner) fail(desc string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.errors == 0 {
		close(r.failed)
	}
	r.errors++
	if len(r.failures) < describedErrors {
		r.failures = append(r.failures, desc)
	}
}

// errorCount returns how many errors there have been so far.
func (r *runner) errorCount() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errors
}

// hold keeps an idle connection open until the run ends.
func (r *runner) hold(c net.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.held = append(r.held, c)
}

func (r *runner) closeHeld() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.held {
		c.Close()
	}
	r.held = nil
}

// waitDone returns a channel that is closed when wg's count reaches zero.
func waitDone(wg *sync.WaitGroup) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		wg.Wait()
		close(ch)
	}()
	return ch
}

// isClosed reports whether ch is closed.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

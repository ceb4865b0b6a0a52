package milestones

import (
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"workbook/tests/harness"
)

// The lines only the Stage 3 server prints (SPEC §4).
const (
	debugLine       = "[DEBUG] Epoll wait"
	disconnectLine3 = "[INFO] Client disconnected"
	shutdownLine    = "[INFO] Server shutting down"
	warnPrefix      = "[WARN] "
)

// The Steps of stage3-epoll/README.md.
const (
	s3Create = 1 + iota
	s3Watch
	s3Wait
	s3Dispatch
	s3Accept
	s3Serve
	s3Nonblock
	s3Pending
	s3Pause
	s3AcceptAll
	s3Refuse
	s3Stop
)

var stage3 = &Stage{
	Number: 3,
	Dir:    "stage3-epoll",
	Title:  "an epoll server for many clients",
	Steps: []string{
		s3Create - 1:    "Create the epoll instance",
		s3Watch - 1:     "Watch the listening socket",
		s3Wait - 1:      "Wait for events",
		s3Dispatch - 1:  "Tell the listener from the clients",
		s3Accept - 1:    "Accept clients",
		s3Serve - 1:     "Read, answer and say goodbye",
		s3Nonblock - 1:  "Make the sockets non-blocking",
		s3Pending - 1:   "Keep what a client cannot take yet",
		s3Pause - 1:     "Pause a client that does not read",
		s3AcceptAll - 1: "Accept every waiting client",
		s3Refuse - 1:    "Refuse the clients you cannot serve",
		s3Stop - 1:      "Stop cleanly on a signal",
	},
	Checks: []*Check{
		{
			ID: "M1", Kind: Milestone, Title: "the event loop is up", Step: s3Wait,
			Hint:  "After the listening line, the loop prints [DEBUG] Epoll wait and flushes the log, then sleeps in EpollWait until something is ready.",
			Repro: []string{"{run}"},
			Run:   s3LoopUp,
		},
		{
			ID: "M2", Kind: Milestone, Title: "two clients at once, then ten", Step: s3Serve,
			Hint:  "On an event for a client, read once, give what arrived to that client's own lineBuffer, and answer every complete line it holds; then go back to EpollWait.",
			Repro: []string{"{run}", "nc 127.0.0.1 8080   # client 1: type a line", "nc 127.0.0.1 8080   # client 2, at the same time: type a line"},
			Run:   s3TwoThenTen,
		},
		{
			ID: "M3", Kind: Milestone, Title: "a client leaves, the server goes on", Step: s3Serve,
			Hint:  "When read(2) returns 0 (end of file) or an error, that one client has gone: take its socket out of epoll (EPOLL_CTL_DEL), close it, forget it, print the disconnect line, and keep serving the others.",
			Repro: []string{"{run}", "nc 127.0.0.1 8080   # then press Ctrl-C", "nc 127.0.0.1 8080   # type a line: still answered"},
			Run:   s3ClientLeaves,
		},
		{
			ID: "thousand", Kind: Challenge, Title: "1,000 clients at once", Step: s3AcceptAll,
			Hint:  "Keep clients in a table that grows with the descriptor numbers (no fixed maximum), and on a listener event accept until EAGAIN.",
			Repro: []string{"{run} -quiet", "for i in $(seq 1000); do (echo hello $i; sleep 5) | nc 127.0.0.1 8080 & done > /dev/null; wait"},
			Run:   s3Thousand,
		},
		{
			ID: "stalled", Kind: Challenge, Title: "a client that never reads does not stall the others", Step: s3Nonblock,
			Hint:  "A write(2) to a client that does not read blocks once its buffers are full, and a blocked loop serves nobody. Make every socket non-blocking (Step 7) and keep what write did not take for the next EPOLLOUT (Step 8).",
			Repro: []string{"{run}", "head -c 50000000 /dev/zero | tr '\\0' x | fold -w 1000 > /tmp/big.txt", "nc -N 127.0.0.1 8080 < /tmp/big.txt | (sleep 30; wc -c)", "nc 127.0.0.1 8080   # meanwhile: type lines here, the replies come at once"},
			Run:   s3Stalled,
		},
		{
			ID: "memory", Kind: Challenge, Title: "memory stays bounded for a client that never reads", Step: s3Pause,
			Hint:  "While a client's pending replies are over the limit, stop asking epoll for EPOLLIN on its socket, and ask again once they drain. Its sends then wait in TCP, not in your memory.",
			Repro: []string{"{run}", "head -c 50000000 /dev/zero | tr '\\0' x | fold -w 1000 > /tmp/big.txt", "nc -N 127.0.0.1 8080 < /tmp/big.txt | (sleep 30; wc -c)", "grep VmRSS /proc/$(pgrep -n stage3-epoll)/status   # meanwhile, a few times"},
			Run:   s3Memory,
		},
		{
			ID: "long-line", Kind: Challenge, Title: "a line over the -max-line limit", Step: s3Serve,
			Hint:  "After each read, if lines.tooLong() the client is sending a line over the limit: print a [WARN] line and drop that client (the disconnect line follows), and only that client.",
			Repro: []string{"{run} -max-line 16", "printf '0123456789abcdefg\\n' | nc 127.0.0.1 8080"},
			Run:   s3LongLine,
		},
		{
			ID: "reset", Kind: Challenge, Title: "a client that resets the connection mid-line", Step: s3Serve,
			Hint:  "A read error such as ECONNRESET means that client has gone: drop it as at end of file, without answering its unfinished line, and keep serving the others.",
			Repro: []string{"{run}", "nc 127.0.0.1 8080   # type a few letters, no Enter, then press Ctrl-C"},
			Run:   s3Reset,
		},
		{
			ID: "half-close", Kind: Challenge, Title: "a half-close with replies still pending", Step: s3Pending,
			Hint:  "End of file means the client has stopped sending, not that it has stopped reading: answer the unfinished line, and close only once every pending reply has been written.",
			Repro: []string{"{run}", "(seq 100000; printf partial) | nc -N 127.0.0.1 8080 | tail -c 30"},
			Run:   s3HalfClose,
		},
		{
			ID: "fd-leak", Kind: Challenge, Title: "no descriptor leaks after 2,000 clients", Step: s3Serve,
			Hint:  "Every way a client can leave (end of file, a reset, an error on write, a line too long) must end in the same place: EPOLL_CTL_DEL, then close(2).",
			Repro: []string{"{run} -quiet", "for i in $(seq 2000); do echo hi | nc -N 127.0.0.1 8080 > /dev/null; done", "ls -l /proc/$(pgrep -n stage3-epoll)/fd | grep -c socket   # 1: the listening socket"},
			Run:   s3NoLeaks,
		},
		{
			ID: "max-clients", Kind: Challenge, Title: "clients past -max-clients are refused", Step: s3Refuse,
			Hint:  "Past the limit, still accept the client (so the listening socket stops being ready), then close it at once and print one [WARN] line; the clients already there go on being served.",
			Repro: []string{"{run} -max-clients 2", "nc 127.0.0.1 8080", "nc 127.0.0.1 8080", "nc 127.0.0.1 8080   # the third is refused: type a line, and this nc ends", "top -p $(pgrep -n stage3-epoll)   # and the server stays near 0% CPU"},
			Run:   s3MaxClients,
		},
		{
			ID: "emfile", Kind: Challenge, Title: "running out of file descriptors", Step: s3Refuse,
			Hint:  "accept(2) fails with EMFILE while the client still waits in the queue, so the listening socket stays ready. Keep a spare descriptor: close it, accept the client and close it at once, print one [WARN] line, and open the spare again.",
			Repro: []string{"{run}", "prlimit --pid $(pgrep -n stage3-epoll) --nofile=32:32", "for i in $(seq 40); do sleep 60 | nc 127.0.0.1 8080 & done"},
			Run:   s3OutOfDescriptors,
		},
		{
			ID: "signals", Kind: Challenge, Title: "SIGTERM and SIGINT stop it cleanly", Step: s3Stop,
			Hint:  "signal.Notify hands the signal to a channel; a goroutine that receives it writes to an eventfd in the interest list, which wakes EpollWait; the loop then prints the shutting-down line and run returns nil (exit status 0).",
			Repro: []string{"{run}   # then press Ctrl-C", "kill -TERM $(pgrep -n stage3-epoll)   # or this, from another terminal"},
			Run:   s3Signals,
		},
		{
			ID: "quiet", Kind: Challenge, Title: "-quiet prints only what matters", Step: s3Wait,
			Hint:  "With -quiet, leave out [DEBUG] and the lines about each client and each line: print those with s.log.detail and s.log.message, and only the listening, [WARN] and shutting-down lines with s.log.printf.",
			Repro: []string{"{run} -quiet -max-line 16", "nc 127.0.0.1 8080"},
			Run:   s3Quiet,
		},
	},
}

// --- starting the server and reading its output ---

// start3 starts the server on a free port with opt and waits for its first
// line, which must be the listening line.
func start3(t *T, opt harness.Options) *Server {
	return t.StartServerWith(opt, s3Wait, "The log is buffered: lines reach stdout when s.log.flush() runs, which the loop does right before each EpollWait. Is the loop reached, and does it flush?")
}

// startLoop starts the server with args and waits for the listening line
// and the first "[DEBUG] Epoll wait".
func startLoop(t *T, args ...string) *Server {
	srv := start3(t, harness.Options{Args: args})
	line, err := srv.NextLine(waitOutput)
	if errors.Is(err, harness.ErrTimeout) {
		t.Fail(Failure{
			Summary: fmt.Sprintf("after its listening line the server printed nothing more within %v", harness.Scaled(waitOutput)),
			Want:    debugLine,
			Step:    s3Wait,
			Hint:    "Print [DEBUG] Epoll wait and flush the log before calling EpollWait, not after: with no client yet, EpollWait sleeps until one comes.",
		})
	}
	if err != nil {
		t.failWaiting(srv.Process, err, debugLine, s3Wait)
	}
	if line != debugLine {
		t.Fail(Failure{
			Summary: "the line after the listening line should say that the loop waits",
			Want:    debugLine,
			Got:     line,
			Step:    s3Wait,
			Hint:    lineHint(debugLine, line),
		})
	}
	return srv
}

func isDebug(s string) bool      { return s == debugLine }
func isConnected(s string) bool  { return s == connectedLine }
func isGone(s string) bool       { return s == disconnectLine3 }
func isWarn(s string) bool       { return strings.HasPrefix(s, warnPrefix) }
func isConnOrWarn(s string) bool { return isConnected(s) || isWarn(s) }

// stderrLine returns the first line p printed to stderr that contains text.
func stderrLine(p *harness.Process, text string) (string, bool) {
	for _, l := range p.Output(harness.Stderr) {
		if strings.Contains(l, text) {
			return l, true
		}
	}
	return "", false
}

// panicLine returns the line with which p panicked, if it did.
func panicLine(p *harness.Process) (string, bool) {
	for _, l := range p.Output(harness.Stderr) {
		if strings.HasPrefix(l, "panic: ") {
			return l, true
		}
	}
	return "", false
}

// details returns the server's stdout without the "[DEBUG] Epoll wait"
// lines, whose number depends on how events happen to be grouped.
func details(p *harness.Process) []string {
	var out []string
	for _, l := range p.Output(harness.Stdout) {
		if !isDebug(l) {
			out = append(out, l)
		}
	}
	return out
}

// waitCount waits until n stdout lines match, and fails naming what as
// the lines it waited for.
func waitCount(t *T, p *harness.Process, n int, match func(string) bool, what string, step int, hint string) {
	got, err := p.WaitCount(waitOutput, n, match)
	if err == nil {
		return
	}
	var exited *harness.ExitedError
	if errors.As(err, &exited) {
		t.failWaiting(p, err, fmt.Sprintf("%d × %s", n, what), step)
	}
	t.Fail(Failure{
		Summary: fmt.Sprintf("the server printed %d of the %d %s lines expected, and no more within %v", got, n, what, harness.Scaled(waitOutput)),
		Step:    step,
		Hint:    hint,
	})
}

// expectDetails waits until the server has printed as many lines as want
// holds, not counting [DEBUG] lines, then fails unless they are want.
// Lines of want that end in "…" match by prefix. The last unordered of
// them may come in any order among themselves.
func expectDetails(t *T, p *harness.Process, want []string, unordered int, step int) {
	notDebug := func(s string) bool { return !isDebug(s) }
	if n, err := p.WaitCount(waitOutput, len(want), notDebug); err != nil {
		var exited *harness.ExitedError
		if errors.As(err, &exited) {
			t.failWaiting(p, err, want[min(n, len(want)-1)], step)
		}
		t.Fail(Failure{
			Summary: fmt.Sprintf("the server printed %d of the %d lines expected (not counting [DEBUG] lines), and no more within %v", n, len(want), harness.Scaled(waitOutput)),
			Want:    want,
			Got:     details(p),
			Step:    step,
		})
	}
	got := details(p)
	ok := len(got) == len(want)
	if ok {
		n := len(want) - unordered
		ok = matchLines(want[:n], got[:n])
		w, g := slices.Clone(want[n:]), slices.Clone(got[n:])
		slices.Sort(w)
		slices.Sort(g)
		ok = ok && slices.Equal(w, g)
	}
	if !ok {
		t.Fail(outputMismatch("the server's output (leaving out the [DEBUG] lines) is not what it should be", want, got, step))
	}
}

// expectBackToWaiting checks that the last line the server printed, once
// it is done, is "[DEBUG] Epoll wait": after every round of events the
// loop goes back to waiting, and says so.
func expectBackToWaiting(t *T, p *harness.Process) {
	out := p.Output(harness.Stdout)
	last := -1
	for i, l := range out {
		if !isDebug(l) {
			last = i
		}
	}
	before := 0
	for _, l := range out[:last+1] {
		if isDebug(l) {
			before++
		}
	}
	if _, err := p.WaitCount(waitOutput, before+1, isDebug); err != nil {
		t.Fail(Failure{
			Summary: "after its last line, " + strconv.Quote(out[last]) + ", the server did not print \"[DEBUG] Epoll wait\" again",
			Want:    debugLine,
			Step:    s3Wait,
			Hint:    "Print [DEBUG] Epoll wait at the top of the loop, before every EpollWait, not once before the loop.",
		})
	}
}

// --- talking to it ---

// talk sends each line in turn and checks its reply before the next. It
// returns the [CLIENT MESSAGE] lines the server should print for them.
func talk(t *T, c *harness.Conn, step int, lines ...string) []string {
	var logs []string
	for _, l := range lines {
		if err := c.Send(l); err != nil {
			t.Failf("%s could not send to the server: %v", c.Name(), err)
		}
		t.ExpectReply(c, l, reply(l), step)
		logs = append(logs, messageLine(l))
	}
	return logs
}

// dialAndSee connects a client and returns the next line the server
// prints about a client arriving: the connected line, or a [WARN] line.
func dialAndSee(t *T, srv *Server) (*harness.Conn, string) {
	before := srv.CountLines(isConnOrWarn)
	loops := srv.CountLines(isDebug)
	cpu, _ := harness.CPUTime(srv.Pid())
	start := time.Now()
	c := t.Dial(srv, s3Refuse)
	if _, err := srv.WaitCount(waitOutput, before+1, isConnOrWarn); err != nil {
		want := fmt.Sprintf("%q or a [WARN] line, for %s", connectedLine, c.Name())
		// A loop that spins shows in its [DEBUG] lines, thousands of them,
		// or in its CPU time. The lines are the surer sign: a spinning
		// server that prints them may spend most of its time blocked on a
		// full stdout pipe, on a busy machine, and use little CPU.
		cpu2, err2 := harness.CPUTime(srv.Pid())
		rounds := srv.CountLines(isDebug) - loops
		if errors.Is(err, harness.ErrTimeout) && (rounds > 100 || (err2 == nil && cpu2-cpu > time.Since(start)/4)) {
			t.Fail(Failure{
				Summary: fmt.Sprintf("the server neither served nor refused %s; meanwhile it went round its loop %d times and used %v of CPU in %v: it spins", c.Name(), rounds, (cpu2 - cpu).Round(time.Millisecond), time.Since(start).Round(time.Millisecond)),
				Want:    want,
				Step:    s3Refuse,
				Hint:    "A client left waiting in the queue keeps the listening socket readable, so EpollWait returns at once, again and again. Accept the client even when you cannot serve it, then close it.",
			})
		}
		if l, ok := stderrLine(srv.Process, "too many open files"); ok && srv.Exited() != nil {
			t.Fail(Failure{
				Summary: fmt.Sprintf("the server ended (%v) when it ran out of descriptors, instead of refusing %s", srv.Exited(), c.Name()),
				Want:    want,
				Got:     l,
				Step:    s3Refuse,
				Hint:    "Running out of descriptors is not a reason to stop: when Accept4 fails with EMFILE or ENFILE, refuse the waiting client with s.refuseWithSpare(), and go on accepting while it reports true.",
			})
		}
		t.failWaiting(srv.Process, err, want, s3Refuse)
	}
	n := 0
	for _, l := range srv.Output(harness.Stdout) {
		if isConnOrWarn(l) {
			if n++; n == before+1 {
				return c, l
			}
		}
	}
	panic("unreachable: WaitCount counted the line")
}

// dialAndWait connects a client and waits for the server's n-th connected
// line.
func dialAndWait(t *T, srv *Server, n int) *harness.Conn {
	c := t.Dial(srv, s3Watch)
	waitCount(t, srv.Process, n, isConnected, strconv.Quote(connectedLine), s3Accept,
		"On an event for the listening socket, accept the client with unix.Accept4, add its socket to epoll (EPOLLIN), and print the connected line.")
	return c
}

// dialSlowReader connects a client whose receive buffer is small, so that
// the server's writes to it fill up soon when it does not read.
func dialSlowReader(t *T, srv *Server) *harness.Conn {
	c, err := harness.DialWithReceiveBuffer(srv.Addr(), t.nextClient(), t.tr, 4096)
	if err != nil {
		t.Failf("could not connect to %s: %v", srv.Addr(), err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// tooLongDropped is what a server should do with a line over -max-line.
const tooLongDropped = "the server should drop a client that sends a line over the limit, without answering it"

// expectRefused checks that the server refused c: closed its connection at
// once, without serving it.
func expectRefused(t *T, c *harness.Conn) {
	expectClosed(t, c, fmt.Sprintf("the server should refuse %s: close its connection at once, sending nothing", c.Name()), "", s3Refuse)
}

// --- what /proc says ---

// expectWatched checks that the server has an epoll instance that watches
// every socket the server has open (the listening socket and each
// client's), each with its own descriptor number as the event's data
// (EpollEvent.Fd), and that it has sockets open in all.
//
// This is also how a server built on package net (a goroutine per client)
// shows: its sockets are in the Go runtime's own epoll instance, which
// keeps a pointer as each one's data, never the descriptor.
func expectWatched(t *T, srv *Server, sockets int) {
	pid := srv.Pid()
	fds, err := harness.Descriptors(pid)
	if err != nil {
		t.Failf("could not read the server's descriptors: %v", err)
	}
	var open []int
	for fd, target := range fds {
		if strings.HasPrefix(target, "socket:[") {
			open = append(open, fd)
		}
	}
	slices.Sort(open)
	instances, err := harness.EpollInstances(pid)
	if err != nil {
		t.Failf("could not read the server's epoll instances: %v", err)
	}
	if len(instances) == 0 {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the server (process %d) has no epoll instance open", pid),
			Step:    s3Create,
			Hint:    "Create one with unix.EpollCreate1 and keep its descriptor open for as long as the loop runs.",
		})
	}
	// The instance that watches the most of the sockets is the loop's.
	var best []harness.EpollWatch
	bestCount := -1
	for _, watches := range instances {
		n := 0
		for _, w := range watches {
			if slices.Contains(open, w.FD) {
				n++
			}
		}
		if n > bestCount {
			best, bestCount = watches, n
		}
	}
	for _, fd := range open {
		i := slices.IndexFunc(best, func(w harness.EpollWatch) bool { return w.FD == fd })
		if i < 0 {
			step, what := s3Accept, "a client's socket"
			if len(open) == 1 {
				step, what = s3Watch, "the listening socket"
			}
			t.Fail(Failure{
				Summary: fmt.Sprintf("%s (descriptor %d) is not in the server's epoll interest list (/proc/%d/fdinfo)", what, fd, pid),
				Want:    fmt.Sprintf("sockets %v watched", open),
				Got:     fmt.Sprintf("%v", watchedFDs(best)),
				Step:    step,
				Hint:    "Add every socket to epoll with unix.EpollCtl(EPOLL_CTL_ADD): the listening socket at the start, each client's as it is accepted.",
			})
		}
		if w := best[i]; w.Data != uint64(fd) {
			t.Fail(Failure{
				Summary: fmt.Sprintf("epoll watches socket %d, but with 0x%x as its data, not its descriptor", fd, w.Data),
				Want:    fmt.Sprintf("data 0x%x", fd),
				Got:     fmt.Sprintf("data 0x%x", w.Data),
				Step:    s3Watch,
				Hint:    "Give unix.EpollCtl an EpollEvent with Fd: int32(fd): that is how an event says which socket it is about. (This is also what a server built on package net looks like: the Go runtime watches its sockets with pointers as data. This stage must not use package net.)",
			})
		}
	}
	if sockets > 0 && len(open) != sockets {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the server has %d sockets open; with the clients connected now it should have %d (theirs and the listening socket)", len(open), sockets),
			Want:    fmt.Sprint(sockets),
			Got:     fmt.Sprint(len(open)),
			Step:    s3Serve,
			Hint:    "Close each client's socket (after EPOLL_CTL_DEL) once it has gone.",
		})
	}
}

func watchedFDs(watches []harness.EpollWatch) []int {
	var fds []int
	for _, w := range watches {
		fds = append(fds, w.FD)
	}
	slices.Sort(fds)
	return fds
}

// expectSockets waits until the server has exactly n sockets open, and
// fails if that does not happen within the deadline.
func expectSockets(t *T, srv *Server, n int, step int, hint string) {
	deadline := time.Now().Add(harness.Scaled(waitOutput))
	for {
		got, err := harness.OpenSockets(srv.Pid())
		if err != nil {
			t.Failf("could not count the server's sockets: %v", err)
		}
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fail(Failure{
				Summary: fmt.Sprintf("the server has %d sockets open (socket:[…] in /proc/%d/fd); it should be back to %d", got, srv.Pid(), n),
				Want:    fmt.Sprint(n),
				Got:     fmt.Sprint(got),
				Step:    step,
				Hint:    hint,
			})
		}
		time.Sleep(20 * time.Millisecond) // polling /proc: nothing to wait on
	}
}

// idleWindow is how long expectIdle watches an idle server.
const idleWindow = 500 * time.Millisecond

// expectIdle checks that the server, with nothing to do, sleeps: over a
// short quiet window it neither goes round its loop (no new "[DEBUG] Epoll
// wait" lines) nor uses more than a little CPU time (/proc/PID/stat). A
// loop that spins shows in one or the other, whether it prints or not.
func expectIdle(t *T, srv *Server, step int, hint string) {
	settle(srv)
	loops := srv.CountLines(isDebug)
	cpu, err := harness.CPUTime(srv.Pid())
	if err != nil {
		t.Failf("could not read the server's CPU time: %v", err)
	}
	t.Notef("watching the idle server for %v", idleWindow)
	time.Sleep(idleWindow) // a quiet window: proving that nothing happens
	cpu2, err := harness.CPUTime(srv.Pid())
	if err != nil {
		t.Failf("could not read the server's CPU time: %v", err)
	}
	loops2 := srv.CountLines(isDebug)
	// A loop that spins goes round thousands of times in the window; the
	// few rounds allowed are for lines that were late on their way.
	if loops2-loops > 10 || cpu2-cpu > idleWindow/4 {
		t.Fail(Failure{
			Summary: fmt.Sprintf("with nothing to do, the server went round its loop %d times and used %v of CPU in %v: it spins", loops2-loops, cpu2-cpu, idleWindow),
			Want:    "no [DEBUG] Epoll wait lines, and next to no CPU time",
			Got:     fmt.Sprintf("%d [DEBUG] Epoll wait lines, %v of CPU time", loops2-loops, cpu2-cpu),
			Step:    step,
			Hint:    hint,
		})
	}
	t.Notef("it went round its loop %d times and used %v of CPU", loops2-loops, cpu2-cpu)
}

// settle waits until the server has printed nothing new for a moment
// (and at most a few seconds), so that lines printed earlier, still on their
// way through the pipe, are not taken for new ones.
func settle(srv *Server) {
	all := func(string) bool { return true }
	n := srv.CountLines(all)
	for range 20 {
		time.Sleep(100 * time.Millisecond) // polling: no event says "nothing more"
		m := srv.CountLines(all)
		if m == n {
			return
		}
		n = m
	}
}

// --- the milestones ---

func s3LoopUp(t *T) {
	srv := startLoop(t)
	expectWatched(t, srv, 1)
}

func s3TwoThenTen(t *T) {
	srv := startLoop(t)
	c1 := dialAndWait(t, srv, 1)
	c2 := dialAndWait(t, srv, 2)
	want := []string{listeningLine(srv.Port), connectedLine, connectedLine}

	t.Notef("the two clients take turns")
	want = append(want, talk(t, c1, s3Serve, "hello from one\n")...)
	want = append(want, talk(t, c2, s3Serve, "hello from two\n")...)
	t.Notef("two lines in one write")
	c1.Send("abc\ndef\n")
	t.ExpectReply(c1, "abc\ndef\n", "cba\n", s3Serve)
	got, err := c1.ReadLine(waitReply)
	if err != nil || got != "fed\n" {
		t.Fail(Failure{
			Summary: "client 1 sent two lines in one write and got only the first one answered",
			Sent:    "abc\ndef\n",
			Want:    "fed\n",
			Got:     got,
			Step:    s3Serve,
			Hint:    "One read may bring several lines: after lines.write, call lines.next() in a loop and answer every line it returns. Epoll will not report those bytes again: they have been read.",
		})
	}
	want = append(want, messageLine("abc\n"), messageLine("def\n"))
	t.Notef("client 2 starts a line, client 1 sends one, client 2 ends its line")
	c2.Send("par")
	// The pause synchronises nothing: it only makes it likely that the
	// server reads "par" before "x\n", which shows up a server that keeps
	// one line buffer for all its clients.
	time.Sleep(50 * time.Millisecond)
	c1.Send("x\n")
	got, err = c1.ReadLine(waitReply)
	if err == nil && got != "x\n" && (strings.Contains(got, "rap") || strings.Contains(got, "par")) {
		t.Fail(Failure{
			Summary: "client 1 got part of client 2's line in its reply",
			Sent:    "x\n",
			Want:    "x\n",
			Got:     got,
			Step:    s3Serve,
			Hint:    "Client 2's unfinished \"par\" ended up in client 1's reply: each client needs its own lineBuffer, kept in its entry of the clients table.",
		})
	}
	t.checkReply(c1, "x\n", "x\n", got, err, s3Serve)
	want = append(want, messageLine("x\n"))
	c2.Send("tial\n")
	t.ExpectReply(c2, "tial\n", "laitrap\n", s3Serve)
	want = append(want, messageLine("partial\n"))
	expectDetails(t, srv.Process, want, 0, s3Serve)
	expectWatched(t, srv, 3)

	t.Notef("ten more clients connect, then all of them send at once")
	var ten []*harness.Conn
	for i := range 10 {
		ten = append(ten, dialAndWait(t, srv, 3+i))
		want = append(want, connectedLine)
	}
	var messages []string
	for i, c := range ten {
		line := fmt.Sprintf("client %d was here\n", i+3)
		if err := c.Send(line); err != nil {
			t.Failf("%s could not send: %v", c.Name(), err)
		}
		messages = append(messages, messageLine(line))
	}
	for i, c := range ten {
		line := fmt.Sprintf("client %d was here\n", i+3)
		t.ExpectReply(c, line, reply(line), s3Serve)
	}
	expectDetails(t, srv.Process, append(want, messages...), len(messages), s3Serve)
	expectWatched(t, srv, 13)
	expectBackToWaiting(t, srv.Process)
}

func s3ClientLeaves(t *T) {
	srv := startLoop(t)
	c1 := dialAndWait(t, srv, 1)
	c2 := dialAndWait(t, srv, 2)
	want := []string{listeningLine(srv.Port), connectedLine, connectedLine}
	want = append(want, talk(t, c1, s3Serve, "one\n")...)
	want = append(want, talk(t, c2, s3Serve, "two\n")...)

	t.Notef("client 1 leaves")
	c1.Close()
	if _, err := srv.WaitCount(waitOutput, 1, isGone); err != nil {
		if exit := srv.Exited(); exit != nil {
			failServerEnded(t, srv, *exit)
		}
		waitCount(t, srv.Process, 1, isGone, strconv.Quote(disconnectLine3), s3Serve, "")
	}
	want = append(want, disconnectLine3)
	want = append(want, stillServing(t, srv, c2, "still there?\n"))
	c3 := dialAndWait(t, srv, 3)
	want = append(want, connectedLine)
	want = append(want, talk(t, c3, s3Serve, "new here\n")...)

	t.Notef("client 2 leaves abruptly")
	c2.Reset()
	waitCount(t, srv.Process, 2, isGone, strconv.Quote(disconnectLine3), s3Serve,
		"A read error such as ECONNRESET also means the client has gone: drop it like at end of file.")
	want = append(want, disconnectLine3)
	want = append(want, stillServing(t, srv, c3, "and still here\n"))
	expectDetails(t, srv.Process, want, 0, s3Serve)
	expectIdle(t, srv, s3Serve, "A client that has gone stays readable (end of file) for as long as its socket is watched: remove it from epoll with EPOLL_CTL_DEL, then close it.")
	expectSockets(t, srv, 2, s3Serve, "Close each client's socket once it has gone (after EPOLL_CTL_DEL); a socket left open is a descriptor leaked.")
}

// stillServing sends line on c, after another client left, and checks the
// reply. It returns the line the server should log for it.
func stillServing(t *T, srv *Server, c *harness.Conn, line string) string {
	got, err := "", c.Send(line)
	if err == nil {
		got, err = c.ReadLine(waitReply)
	}
	if err == nil && got == reply(line) {
		return messageLine(line)
	}
	if exit, werr := srv.WaitExit(2 * time.Second); werr == nil {
		failServerEnded(t, srv, exit)
	}
	t.checkReply(c, line, reply(line), got, err, s3Serve)
	return ""
}

// failServerEnded fails a check whose server ended after a client left.
func failServerEnded(t *T, srv *Server, exit harness.Exit) {
	hint := "A client leaving is not the end of the server any more: drop that one client and go back to EpollWait."
	for _, l := range srv.Output(harness.Stderr) {
		if strings.Contains(l, "epoll_ctl") && strings.Contains(l, "bad file descriptor") {
			hint = "EPOLL_CTL_DEL on a descriptor already closed fails with EBADF: take the socket out of epoll first, then close it."
		}
	}
	t.Fail(Failure{
		Summary: fmt.Sprintf("the server ended (%v) when one of its clients left", exit),
		Step:    s3Serve,
		Hint:    hint,
	})
}

// --- the challenges ---

func s3Thousand(t *T) {
	const n = 1000
	srv := startLoop(t)
	t.Notef("connecting %d clients", n)
	clients := make([]*harness.Conn, n)
	for i := range clients {
		clients[i] = t.Dial(srv, s3Watch)
	}
	waitCount(t, srv.Process, n, isConnected, strconv.Quote(connectedLine), s3AcceptAll, "")
	t.Notef("each of the %d sends a line, then each reads its reply", n)
	want := []string{listeningLine(srv.Port)}
	var messages []string
	for i, c := range clients {
		line := fmt.Sprintf("I am client %d of %d\n", i+1, n)
		if err := c.Send(line); err != nil {
			t.Failf("%s could not send: %v", c.Name(), err)
		}
		want = append(want, connectedLine)
		messages = append(messages, messageLine(line))
	}
	for i, c := range clients {
		line := fmt.Sprintf("I am client %d of %d\n", i+1, n)
		t.ExpectReply(c, line, reply(line), s3AcceptAll)
	}
	expectDetails(t, srv.Process, append(want, messages...), n, s3Serve)
	expectWatched(t, srv, n+1)
	t.Notef("all %d leave", n)
	for _, c := range clients {
		c.Close()
	}
	waitCount(t, srv.Process, n, isGone, strconv.Quote(disconnectLine3), s3Serve, "")
	expectSockets(t, srv, 1, s3Serve, "Close each client's socket once it has gone.")
}

// stalledLines is how much a client that never reads sends: far more than
// the kernel's buffers on the way hold, so that a server that reads it all
// has to keep it in its own memory.
const stalledLines = 32 << 10 // lines of 1 KiB: 32 MiB

// numberedLines returns n lines of 1 KiB, each starting with its number,
// and the replies to them, in order.
func numberedLines(n int) (lines, replies string) {
	var filler strings.Builder
	for i := 0; filler.Len() < 1024-9; i++ {
		filler.WriteByte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[i%64])
	}
	f := filler.String()
	fr := reply(f)
	var l, r strings.Builder
	l.Grow(n * 1024)
	r.Grow(n * 1024)
	for i := range n {
		prefix := fmt.Sprintf("%07d ", i)
		l.WriteString(prefix + f + "\n")
		r.WriteString(fr + reply(prefix) + "\n")
	}
	return l.String(), r.String()
}

// A sender sends on a connection from a goroutine of its own, so that a
// check can watch how far it gets while the other side does not read.
type sender struct {
	sent atomic.Int64
	done chan struct{}
	err  error // set before done is closed
}

// sendInBackground sends data in pieces of chunk bytes, then calls then
// (if not nil).
func sendInBackground(c *harness.Conn, data string, chunk int, then func() error) *sender {
	s := &sender{done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for off := 0; off < len(data); off += chunk {
			end := min(off+chunk, len(data))
			if s.err = c.SendBlocking(data[off:end]); s.err != nil {
				return
			}
			s.sent.Add(int64(end - off))
		}
		if then != nil {
			s.err = then()
		}
	}()
	return s
}

// waitStuck waits until the sender has sent everything, or has made no
// progress for a short quiet window: the other side has stopped reading.
// It returns how much was sent. The window scales with the deadlines, so a
// slow machine that pauses the server for a moment is not taken for
// back-pressure.
func (s *sender) waitStuck(t *T) int64 {
	deadline := time.Now().Add(harness.Scaled(30 * time.Second))
	quiet := harness.Scaled(300 * time.Millisecond)
	last := int64(-1)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return s.sent.Load()
		case <-time.After(quiet): // a quiet window: no progress
		}
		n := s.sent.Load()
		if n == last {
			return n
		}
		last = n
	}
	t.Failf("a client was still sending after %v", harness.Scaled(30*time.Second))
	return 0
}

// stalledClient is the scenario of the stalled and memory checks: client 1
// sends 32 MiB of lines and reads nothing, and once the server has stopped
// taking them, client 2 must still be served at once. It returns the
// server, client 1, its sender and the replies client 1 should get.
func stalledClient(t *T, measure bool) (*Server, *harness.Conn, *sender, string) {
	// -quiet: 32 MiB of [CLIENT MESSAGE] lines would tell nothing more.
	srv := start3(t, harness.Options{Args: []string{"-quiet"}})
	slow := dialSlowReader(t, srv)
	other := t.Dial(srv, s3Watch)
	talk(t, other, s3Serve, "before\n")
	rss, err := harness.ResidentMemory(srv.Pid())
	if err != nil {
		t.Failf("could not read the server's memory use: %v", err)
	}
	t.Notef("the server's resident memory (VmRSS): %d KiB", rss>>10)

	lines, replies := numberedLines(stalledLines)
	t.Notef("%s sends %d MiB of lines and reads nothing", slow.Name(), len(lines)>>20)
	s := sendInBackground(slow, lines, 256<<10, nil)
	sent := s.waitStuck(t)
	if sent == int64(len(lines)) {
		t.Notef("%s has sent all %d KiB", slow.Name(), sent>>10)
	} else {
		t.Notef("%s has sent %d KiB, and the server takes no more", slow.Name(), sent>>10)
	}

	for _, l := range []string{"are you there?\n", "still here\n"} {
		other.Send(l)
		got, err := other.ReadLine(waitReply)
		if err != nil || got != reply(l) {
			t.Fail(Failure{
				Summary: fmt.Sprintf("while %s did not read, %s was not answered", slow.Name(), other.Name()),
				Sent:    l,
				Want:    reply(l),
				Got:     got,
				Step:    s3Nonblock,
				Hint:    "The server is stuck in a write(2) to the client that does not read, and a blocked loop serves nobody. Make every socket non-blocking (Step 7) and keep what write did not take for the next EPOLLOUT (Step 8).",
			})
		}
	}
	if measure {
		rss2, err := harness.ResidentMemory(srv.Pid())
		if err != nil {
			t.Failf("could not read the server's memory use: %v", err)
		}
		t.Notef("the server's resident memory (VmRSS): %d KiB", rss2>>10)
		if bound := int64(len(lines)) / 4; rss2-rss > bound {
			t.Fail(Failure{
				Summary: fmt.Sprintf("while %s sent %d MiB and read none of the replies, the server's memory grew by %d MiB", slow.Name(), sent>>20, (rss2-rss)>>20),
				Want:    fmt.Sprintf("VmRSS growing by less than %d MiB", bound>>20),
				Got:     fmt.Sprintf("VmRSS from %d MiB to %d MiB", rss>>20, rss2>>20),
				Step:    s3Pause,
			})
		}
	}
	return srv, slow, s, replies
}

func s3Stalled(t *T) {
	_, slow, s, replies := stalledClient(t, false)
	t.Notef("%s now reads everything", slow.Name())
	got, err := readInPieces(slow, len(replies), 1<<20, 0)
	if err != nil || got != replies {
		i := firstDiff(got, replies)
		f := Failure{
			Summary: fmt.Sprintf("the replies %s got once it read differ from what it should get, from byte %d of %d on", slow.Name(), i, len(replies)),
			Want:    replies[i:min(i+100, len(replies))],
			Got:     got[i:min(i+100, len(got))],
			Step:    s3Pending,
			Hint:    "Replies must all arrive, in order: keep what write(2) did not take at the front of the client's output, ask for EPOLLOUT, and write the rest when it comes.",
		}
		if err != nil && strings.HasPrefix(replies, got) {
			f.Summary = fmt.Sprintf("%s stopped getting replies after %d of %d bytes (%v)", slow.Name(), len(got), len(replies), errOrEOF(err))
		}
		t.Fail(f)
	}
	<-s.done
	if s.err != nil {
		t.Failf("%s could not send all its lines: %v", slow.Name(), s.err)
	}
}

// readInPieces reads n bytes from c, piece bytes at a time, pausing
// between pieces. It returns what arrived, and the error that stopped it
// before n bytes, if any.
func readInPieces(c *harness.Conn, n, piece int, pause time.Duration) (string, error) {
	var b strings.Builder
	b.Grow(n)
	for b.Len() < n {
		got, err := c.ReadFull(min(piece, n-b.Len()), waitReply)
		b.WriteString(got)
		if err != nil {
			return b.String(), err
		}
		time.Sleep(pause)
	}
	return b.String(), nil
}

func firstDiff(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

func s3Memory(t *T) {
	stalledClient(t, true)
}

func s3LongLine(t *T) {
	srv := startLoop(t, "-max-line", "16")
	bystander := dialAndWait(t, srv, 1)
	c := dialAndWait(t, srv, 2)
	want := []string{listeningLine(srv.Port), connectedLine, connectedLine}
	want = append(want, talk(t, c, s3Serve, "0123456789abcdef\n", "0123456789abcde\r\n")...)
	c.Send("0123456789abcdefg\n")
	expectClosed(t, c, tooLongDropped, "a 17-byte line with -max-line 16", s3Serve)
	want = append(want, warnPrefix+"…", disconnectLine3)
	want = append(want, talk(t, bystander, s3Serve, "unaffected\n")...)
	expectDetails(t, srv.Process, want, 0, s3Serve)

	t.Notef("now the default limit, 65,536 bytes")
	srv = startLoop(t)
	bystander = dialAndWait(t, srv, 1)
	c = dialAndWait(t, srv, 2)
	fits := strings.Repeat("a", 65535) + "b\n"
	c.Send(fits)
	t.ExpectBytes(c, fits, reply(fits), s3Serve)
	c.Send(strings.Repeat("c", 100_000))
	expectClosed(t, c, tooLongDropped, "100,000 bytes with no newline", s3Serve)
	want = []string{listeningLine(srv.Port), connectedLine, connectedLine, messageLine(fits), warnPrefix + "…", disconnectLine3}
	want = append(want, talk(t, bystander, s3Serve, "still fine\n")...)
	expectDetails(t, srv.Process, want, 0, s3Serve)
}

func s3Reset(t *T) {
	srv := startLoop(t)
	bystander := dialAndWait(t, srv, 1)
	c := dialAndWait(t, srv, 2)
	want := []string{listeningLine(srv.Port), connectedLine, connectedLine}
	want = append(want, talk(t, c, s3Serve, "abc\n")...)
	c.Send("half a li")
	c.Reset()
	waitCount(t, srv.Process, 1, isGone, strconv.Quote(disconnectLine3), s3Serve, "")
	want = append(want, disconnectLine3)
	want = append(want, talk(t, bystander, s3Serve, "still here\n")...)
	expectDetails(t, srv.Process, want, 0, s3Serve)
	expectSockets(t, srv, 2, s3Serve, "Close the socket of a client that reset its connection, after taking it out of epoll.")
}

func s3HalfClose(t *T) {
	srv := start3(t, harness.Options{Args: []string{"-quiet"}})
	c := dialSlowReader(t, srv)
	// Far more than the kernel holds on the way, so that the server has to
	// stop reading (Step 9) until the client reads. The client then reads
	// slowly, like one on a slow link: the server stays ahead, and reads
	// the end of file while replies are still pending in its own memory.
	lines, replies := numberedLines(8 << 10)
	t.Notef("%s sends 8 MiB of lines and an unfinished one, then closes its sending side; it reads, slowly, only once it cannot send more", c.Name())
	s := sendInBackground(c, lines+"partial", 256<<10, c.CloseWrite)
	s.waitStuck(t)
	want := replies + "laitrap"
	got, err := readInPieces(c, len(want), 32<<10, 2*time.Millisecond)
	if err == nil {
		var more string
		more, err = c.ReadToEOF(waitReply)
		got += more
	}
	if err != nil || got != want {
		i := firstDiff(got, want)
		f := Failure{
			Summary: fmt.Sprintf("after its half-close, %s should get every reply (%d bytes), then end of file; it got %d bytes, then %v", c.Name(), len(want), len(got), errOrEOF(err)),
			Want:    want[i:min(i+100, len(want))],
			Got:     got[i:min(i+100, len(got))],
			Step:    s3Pending,
		}
		switch {
		case !errors.Is(err, harness.ErrTimeout) && strings.HasPrefix(want, got):
			f.Summary = fmt.Sprintf("the server closed the connection after %d of the %d bytes of replies", len(got), len(want))
			f.Hint = "At end of file the server still had replies to write, and closed anyway: mark the client as done sending, stop reading from it, and close only once its output is empty."
		case len(got) > len(want) && strings.HasPrefix(got, want):
			f.Summary = fmt.Sprintf("after every reply (%d bytes), %s got %d bytes more", len(want), c.Name(), len(got)-len(want))
			f.Hint = "The unfinished line was answered again and again. A socket at end of file stays readable for ever, so while the server still asks for EPOLLIN, every event reads end of file once more and answers c.lines.rest() once more. Once c.eof is set, stop asking for EPOLLIN: that is in interest."
		}
		t.Fail(f)
	}
	<-s.done
	if s.err != nil {
		t.Failf("%s could not send everything: %v", c.Name(), s.err)
	}
}

func s3NoLeaks(t *T) {
	const rounds, per = 20, 100
	srv := startLoop(t)
	start, err := harness.OpenSockets(srv.Pid())
	if err != nil {
		t.Failf("could not count the server's sockets: %v", err)
	}
	t.Notef("the server has %d socket open; %d clients now come and go, %d at a time, leaving in four different ways", start, rounds*per, per)
	for r := range rounds {
		clients := make([]*harness.Conn, per)
		for i := range clients {
			clients[i] = t.Dial(srv, s3Watch)
		}
		for i, c := range clients {
			c.Send(fmt.Sprintf("round %d, client %d\n", r, i))
		}
		for i, c := range clients {
			line := fmt.Sprintf("round %d, client %d\n", r, i)
			t.ExpectReply(c, line, reply(line), s3Serve)
		}
		for i, c := range clients {
			switch i % 4 {
			case 0: // the usual way
				c.Close()
			case 1: // abruptly: a reset
				c.Reset()
			case 2: // a half-close, then waiting for the server to close
				c.CloseWrite()
				if _, err := c.ReadToEOF(waitReply); err != nil {
					t.Fail(Failure{
						Summary: fmt.Sprintf("after %s closed its sending side, the server did not close the connection", c.Name()),
						Step:    s3Serve,
						Hint:    "At end of file, with nothing left to write, drop the client: EPOLL_CTL_DEL, then close(2).",
					})
				}
				c.Close()
			case 3: // in the middle of a line
				c.Send("unfinis")
				c.Close()
			}
		}
	}
	t.Notef("and three clients that send without reading until the server stops reading them, then reset")
	lines, _ := numberedLines(16 << 10)
	var stalled []*harness.Conn
	var senders []*sender
	for range 3 {
		c := dialSlowReader(t, srv)
		stalled = append(stalled, c)
		senders = append(senders, sendInBackground(c, lines, 256<<10, nil))
	}
	for _, s := range senders {
		s.waitStuck(t)
	}
	for _, c := range stalled {
		c.Reset()
	}
	waitCount(t, srv.Process, rounds*per+len(stalled), isGone, strconv.Quote(disconnectLine3), s3Serve, "")
	expectSockets(t, srv, start, s3Serve, "Some way of leaving skips the close: every client that goes must end with EPOLL_CTL_DEL, then close(2). That includes a client whose write(2) fails (EPIPE, ECONNRESET).")
	expectWatched(t, srv, start)
}

func s3Signals(t *T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		name := map[syscall.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT"}[sig]
		t.Notef("now with %s", name)
		srv := startLoop(t)
		c := dialAndWait(t, srv, 1)
		talk(t, c, s3Serve, "before the signal\n")
		c.Send("unfinished")
		loops := srv.CountLines(isDebug)
		srv.Signal(sig)
		exit, err := srv.WaitExit(waitExit)
		switch {
		case err != nil && srv.CountLines(isDebug)-loops > 1000:
			// Woken, and woken again at once, for ever: the eventfd is
			// readable, and level-triggered epoll reports it every time.
			t.Fail(Failure{
				Summary: fmt.Sprintf("after %s the server went round its loop %d times and was still running %v later: it spins", name, srv.CountLines(isDebug)-loops, harness.Scaled(waitExit)),
				Step:    s3Stop,
				Hint:    "The eventfd woke the loop, but nothing stopped it, so epoll reports the eventfd again and again. In handle, add a case for s.wake, before the clients' default case, that prints the shutting-down line and reports stop.",
			})
		case err != nil:
			t.Fail(Failure{
				Summary: fmt.Sprintf("the server was still running %v after %s", harness.Scaled(waitExit), name),
				Step:    s3Stop,
				Hint:    "The signal was caught but nothing woke the loop from EpollWait: when the signal comes, write to an eventfd (or a pipe) that is in the interest list.",
			})
		case exit.Signal == sig:
			t.Fail(Failure{
				Summary: fmt.Sprintf("%s killed the server (%v)", name, exit),
				Step:    s3Stop,
				Hint:    fmt.Sprintf("Catch %s with signal.Notify, so that it stops the server cleanly instead of killing it.", name),
			})
		case exit.Code != 0:
			hint := "Being asked to stop is not an error: print the shutting-down line and let run return nil."
			if l, ok := panicLine(srv.Process); ok {
				hint = "It panicked (" + l + "): the eventfd's event probably reached handle's case for clients, where no client has that descriptor. In handle, add a case for s.wake, before the default case, that prints the shutting-down line and reports stop."
			}
			t.Fail(Failure{
				Summary: fmt.Sprintf("after %s the server ended with %v; it should be exit status 0", name, exit),
				Want:    "exit status 0",
				Got:     exit.String(),
				Step:    s3Stop,
				Hint:    hint,
			})
		}
		out := srv.Output(harness.Stdout)
		if len(out) == 0 || out[len(out)-1] != shutdownLine {
			t.Fail(Failure{
				Summary: "the last line the server prints should say that it shuts down",
				Want:    shutdownLine,
				Got:     strings.Join(out[max(0, len(out)-1):], ""),
				Step:    s3Stop,
			})
		}
	}
}

func s3MaxClients(t *T) {
	srv := startLoop(t, "-max-clients", "3")
	var served []*harness.Conn
	for i := range 3 {
		served = append(served, dialAndWait(t, srv, i+1))
	}
	for i, c := range served {
		talk(t, c, s3Serve, fmt.Sprintf("client %d\n", i+1))
	}
	for n := range 2 {
		c, line := dialAndSee(t, srv)
		if isConnected(line) {
			t.Fail(Failure{
				Summary: fmt.Sprintf("with -max-clients 3 and 3 clients connected, the server accepted a %s one", []string{"4th", "5th"}[n]),
				Want:    warnPrefix + "…",
				Got:     line,
				Step:    s3Refuse,
			})
		}
		expectRefused(t, c)
	}
	if n := srv.CountLines(isWarn); n != 2 {
		t.Fail(Failure{Summary: fmt.Sprintf("the server printed %d [WARN] lines for 2 clients refused; it should be one each", n), Want: "2", Got: fmt.Sprint(n), Step: s3Refuse})
	}
	t.Notef("the three clients are still served")
	for i, c := range served {
		talk(t, c, s3Serve, fmt.Sprintf("client %d again\n", i+1))
	}
	expectIdle(t, srv, s3Refuse, "A client left in the queue keeps the listening socket readable, so EpollWait returns at once, again and again. Accept it and close it.")
	t.Notef("one leaves, and there is room for one more")
	served[0].Close()
	waitCount(t, srv.Process, 1, isGone, strconv.Quote(disconnectLine3), s3Serve, "")
	c := dialAndWait(t, srv, 4)
	talk(t, c, s3Refuse, "my turn\n")
	expectSockets(t, srv, 4, s3Serve, "Close the socket of each client refused.")
}

// descriptorLimit is the limit on open descriptors the emfile check starts
// the server with: room for about twenty clients.
const descriptorLimit = 32

func s3OutOfDescriptors(t *T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Failf("this check needs the prlimit command (from util-linux): %v", err)
	}
	// Go raises the soft limit to the hard one as it starts, so set both.
	srv := start3(t, harness.Options{Wrap: []string{prlimit, fmt.Sprintf("--nofile=%d:%d", descriptorLimit, descriptorLimit), "--"}})
	t.Notef("the server may have %d descriptors open; clients connect until one is refused", descriptorLimit)
	var served []*harness.Conn
	refused := 0
	for refused < 3 {
		if len(served) > descriptorLimit {
			t.Failf("the server accepted %d clients with a limit of %d descriptors", len(served), descriptorLimit)
		}
		c, line := dialAndSee(t, srv)
		if isConnected(line) {
			if refused > 0 {
				t.Failf("after refusing a client, the server accepted %s, though no descriptor had been freed", c.Name())
			}
			served = append(served, c)
			continue
		}
		expectRefused(t, c)
		refused++
	}
	t.Notef("%d clients served, 3 refused", len(served))
	if len(served) == 0 {
		t.Failf("no client was served")
	}
	for i, c := range served {
		talk(t, c, s3Serve, fmt.Sprintf("client %d still here\n", i+1))
	}
	expectIdle(t, srv, s3Refuse, "accept(2) fails with EMFILE and leaves the client in the queue, so the listening socket stays readable. Refuse the client instead: close a spare descriptor, accept, close, reopen the spare.")
	t.Notef("two clients leave; a new one must be served")
	served[0].Close()
	served[1].Close()
	waitCount(t, srv.Process, 2, isGone, strconv.Quote(disconnectLine3), s3Serve, "")
	c, line := dialAndSee(t, srv)
	if !isConnected(line) {
		t.Fail(Failure{
			Summary: "after two clients left, a new client should be served again",
			Want:    connectedLine,
			Got:     line,
			Step:    s3Refuse,
			Hint:    "Open the spare descriptor again after each refusal, so that it is there for the next one and the numbers freed go to new clients.",
		})
	}
	talk(t, c, s3Serve, "room again\n")
}

func s3Quiet(t *T) {
	srv := start3(t, harness.Options{Args: []string{"-quiet", "-max-line", "16"}})
	c1 := t.Dial(srv, s3Watch)
	c2 := t.Dial(srv, s3Watch)
	talk(t, c1, s3Serve, "hello\n")
	talk(t, c2, s3Serve, "hi\n", "hey\n")
	c1.Close()
	c3 := t.Dial(srv, s3Watch)
	talk(t, c3, s3Serve, "new\n")
	c2.Send("0123456789abcdefg\n")
	expectClosed(t, c2, tooLongDropped, "a 17-byte line with -max-line 16", s3Serve)
	waitCount(t, srv.Process, 1, isWarn, "[WARN]", s3Serve, "")
	talk(t, c3, s3Serve, "last\n")
	want := []string{listeningLine(srv.Port), warnPrefix + "…"}
	settle(srv) // the last round's lines are flushed before the next wait
	got := srv.Output(harness.Stdout)
	if !matchLines(want, got) {
		t.Fail(Failure{
			Summary: "with -quiet the server should print only its listening line and the [WARN] line",
			Want:    want,
			Got:     got,
		})
	}
}

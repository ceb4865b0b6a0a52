package milestones

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"time"

	"workbook/tests/harness"
)

// Expectations that read what the kernel says about the program in /proc
// (proc(5)): its descriptors, its epoll interest lists, its CPU time.
// The kernel offers no event for these, so they are polled.

// epollSteps are the Steps of an event loop's lesson that the checks of its
// interest list name: where the epoll instance is created, where the
// listening socket goes into its interest list (with its descriptor as the
// event's data), where each client's socket does, where a client's socket
// is closed once it has gone, and where the loop asks for EPOLLOUT only
// while it has something to write; and the words in which a spin is told
// (a server's clients, a proxy's sockets).
type epollSteps struct {
	create, watch, accept, close, pending int
	spin                                  spinWords
}

// spinWords are the words of a stage's failures for a loop that spins
// while idle: what the program is ("the server"), and the hints for the two
// causes that its interest list shows.
type spinWords struct {
	program string
	// gone is the hint for watched sockets besides the listening one,
	// when only connected of them should be.
	gone func(watched, connected int) string
	// writers is the hint for writers sockets watched for EPOLLOUT, when
	// bytes wait for only waiting of them.
	writers func(writers, waiting int) string
}

// expectWatched checks that the server has an epoll instance that watches
// every socket the server has open (the listening socket and each
// client's), each with its own descriptor number as the event's data
// (EpollEvent.Fd), and that it has sockets open in all.
//
// This is also how a server built on package net (a goroutine per client)
// shows: its sockets are in the Go runtime's own epoll instance, which
// keeps a pointer as each one's data, never the descriptor.
func expectWatched(t *T, srv *Server, sockets int, steps epollSteps) {
	pid := srv.Pid()
	open := socketFDs(t, pid)
	watches := loopInterest(t, pid, open, steps)
	for _, fd := range open {
		i := slices.IndexFunc(watches, func(w harness.EpollWatch) bool { return w.FD == fd })
		if i < 0 {
			step, what := steps.accept, "a client's socket"
			if len(open) == 1 {
				step, what = steps.watch, "the listening socket"
			}
			t.Fail(Failure{
				Summary: fmt.Sprintf("%s (descriptor %d) is not in the server's epoll interest list (/proc/%d/fdinfo)", what, fd, pid),
				Want:    fmt.Sprintf("sockets %v watched", open),
				Got:     fmt.Sprintf("%v", watchedFDs(watches)),
				Step:    step,
				Hint:    "Add every socket to epoll with unix.EpollCtl(EPOLL_CTL_ADD): the listening socket at the start, each client's as it is accepted.",
			})
		}
		if w := watches[i]; w.Data != uint64(fd) {
			t.Fail(Failure{
				Summary: fmt.Sprintf("epoll watches socket %d, but with 0x%x as its data, not its descriptor", fd, w.Data),
				Want:    fmt.Sprintf("data 0x%x", fd),
				Got:     fmt.Sprintf("data 0x%x", w.Data),
				Step:    steps.watch,
				Hint: "Give unix.EpollCtl an EpollEvent with Fd: int32(fd): that is how an event says which socket it is about. " +
					"(This is also what a server built on package net looks like: the Go runtime watches its sockets with pointers as data. " +
					"This stage must not use package net.)",
			})
		}
	}
	if sockets > 0 && len(open) != sockets {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the server has %d sockets open; "+
				"with the clients connected now it should have %d (theirs and the listening socket)", len(open), sockets),
			Want: fmt.Sprint(sockets),
			Got:  fmt.Sprint(len(open)),
			Step: steps.close,
			Hint: "Close each client's socket (after EPOLL_CTL_DEL) once it has gone.",
		})
	}
}

// socketFDs returns the descriptors of the sockets process pid has open,
// in order.
func socketFDs(t *T, pid int) []int {
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
	return open
}

// loopInterest returns the interest list of the event loop's epoll
// instance: of the instances process pid has open, the one that watches
// the most of the sockets open.
func loopInterest(t *T, pid int, open []int, steps epollSteps) []harness.EpollWatch {
	instances, err := harness.EpollInstances(pid)
	if err != nil {
		t.Failf("could not read the server's epoll instances: %v", err)
	}
	if len(instances) == 0 {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the server (process %d) has no epoll instance open", pid),
			Step:    steps.create,
			Hint:    "Create one with unix.EpollCreate1 and keep its descriptor open for as long as the loop runs.",
		})
	}
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
	return best
}

// epollET is EPOLLET, edge-triggered, as the events of an interest list
// hold it (package syscall declares it as a negative int).
const epollET = 1 << 31

// eventNames writes an interest list's events as names, "EPOLLIN|EPOLLERR
// (0x9)", for a failure to show.
func eventNames(events uint32) string {
	var names []string
	for _, e := range []struct {
		bit  uint32
		name string
	}{{syscall.EPOLLIN, "EPOLLIN"}, {syscall.EPOLLOUT, "EPOLLOUT"}, {syscall.EPOLLRDHUP, "EPOLLRDHUP"},
		{syscall.EPOLLERR, "EPOLLERR"}, {syscall.EPOLLHUP, "EPOLLHUP"}, {epollET, "EPOLLET"}} {
		if events&e.bit != 0 {
			names = append(names, e.name)
		}
	}
	if len(names) == 0 {
		names = append(names, "nothing")
	}
	return fmt.Sprintf("%s (0x%x)", strings.Join(names, "|"), events)
}

// newestSocket returns the descriptor of the socket the server opened last
// (/proc/PID/fd): its client's, for a check with one client, as the kernel
// hands out the lowest free descriptor and the listening socket came first.
func newestSocket(t *T, srv *Server) int {
	open := socketFDs(t, srv.Pid())
	if len(open) == 0 {
		t.Failf("the server (process %d) has no socket open", srv.Pid())
	}
	return open[len(open)-1]
}

// interestOf returns the events the server's event loop watches fd for, as
// /proc/PID/fdinfo shows its epoll instance's interest list, or false if
// it does not watch fd.
func interestOf(t *T, srv *Server, fd int, steps epollSteps) (uint32, bool) {
	pid := srv.Pid()
	for _, w := range loopInterest(t, pid, socketFDs(t, pid), steps) {
		if w.FD == fd {
			return w.Events, true
		}
	}
	return 0, false
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
			failIfEnded(t, srv, step)
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

// spinRounds is how many rounds of its loop, each with its "[DEBUG] Epoll
// wait" line, a server may go without doing what a check waits for before
// the check takes it as spinning. A loop that waits as it should goes round
// a few times per event; one that spins, tens of thousands of times a
// second.
const spinRounds = 10_000

// waitOrSpin waits until p has printed n stdout lines that match, counted
// from the start of its output, as WaitCount does, unless it first goes
// round its loop spinRounds times more than the rounds it had made: then
// it reports spun, at once rather than at the deadline.
func waitOrSpin(p *harness.Process, n int, match func(string) bool, rounds int) (got int, spun bool, err error) {
	debugs := 0
	_, err = p.WaitCount(waitOutput, 1, func(s string) bool {
		switch {
		case match(s):
			got++
		case isDebug(s):
			debugs++
		}
		spun = got < n && debugs >= rounds+spinRounds
		return got >= n || spun
	})
	return got, spun, err
}

// idleWindow is how long expectIdle watches an idle server.
const idleWindow = 500 * time.Millisecond

// An idleServer is what expectIdle knows of the server it watches: how many
// clients are connected to it (sockets besides the listening one), how many
// of those rightly wait to write (a proxy holding bytes for a reader that
// has paused), the Steps of its lesson, and the Step and hint to name for a
// spin whose cause its interest list does not show.
type idleServer struct {
	clients int
	writing int
	steps   epollSteps
	step    int
	hint    string
}

// expectIdle checks that the server, with nothing to do, sleeps: over a
// short quiet window it neither goes round its loop (no new "[DEBUG] Epoll
// wait" lines) nor uses more than a little CPU time (/proc/PID/stat). A
// loop that spins shows in one or the other, whether it prints or not.
func expectIdle(t *T, srv *Server, idle idleServer) {
	loops := srv.CountLines(isDebug)
	cpu := cpuTime(t, srv, idle.step)
	start := time.Now()
	if !settle(srv) {
		// Still printing after a while: a loop that spins and says so
		// is seen at once.
		if rounds := srv.CountLines(isDebug) - loops; rounds > spinRounds {
			failSpin(t, srv, idle, rounds, cpuTime(t, srv, idle.step)-cpu, time.Since(start))
		}
	}
	loops, cpu = srv.CountLines(isDebug), cpuTime(t, srv, idle.step)
	t.Notef("watching the idle server for %v", idleWindow)
	time.Sleep(idleWindow) // a quiet window: proving that nothing happens
	cpu2 := cpuTime(t, srv, idle.step)
	// What the server printed in the window and the harness has not read
	// yet counts too: a server that prints faster than a busy machine
	// lets the harness read is blocked on its full stdout, neither
	// running nor printing more, until the harness reads.
	settle(srv)
	loops2 := srv.CountLines(isDebug)
	// A loop that spins goes round thousands of times in the window; the
	// few rounds allowed are for lines that were late on their way.
	if loops2-loops > 10 || cpu2-cpu > idleWindow/4 {
		failSpin(t, srv, idle, loops2-loops, cpu2-cpu, idleWindow)
	}
	t.Notef("it went round its loop %d times and used %v of CPU", loops2-loops, cpu2-cpu)
}

// cpuTime returns the CPU time the server has used so far. A server that
// has ended meanwhile fails the check naming step.
func cpuTime(t *T, srv *Server, step int) time.Duration {
	cpu, err := harness.CPUTime(srv.Pid())
	if err != nil {
		failIfEnded(t, srv, step)
		t.Failf("could not read the server's CPU time: %v", err)
	}
	return cpu
}

// failSpin fails a check whose idle server went round its loop rounds
// times and used cpu of CPU time in the time in: whichever way the spin
// was seen, the failure reads the same.
func failSpin(t *T, srv *Server, idle idleServer, rounds int, cpu, in time.Duration) {
	step, hint := spinCause(t, srv, idle)
	t.Fail(Failure{
		Summary: fmt.Sprintf("with nothing to do, %s went round its loop %d times and used %v of CPU in %v: it spins",
			idle.steps.spin.program, rounds, cpu, in.Round(time.Millisecond)),
		Want: "no [DEBUG] Epoll wait lines, and next to no CPU time",
		Got:  fmt.Sprintf("%d [DEBUG] Epoll wait lines, %v of CPU time", rounds, cpu),
		Step: step,
		Hint: hint,
	})
}

// spinCause returns the Step and hint for a server that spins while idle,
// from what its epoll interest list (/proc/PID/fdinfo) shows: more client
// sockets watched than there are clients (those of clients that have
// gone, which stay readable at end of file), or clients watched for
// EPOLLOUT when every reply has been written (a socket with room to write
// is ready at once, every time). Otherwise it returns idle's.
func spinCause(t *T, srv *Server, idle idleServer) (step int, hint string) {
	pid := srv.Pid()
	open := socketFDs(t, pid)
	watched, writers := 0, 0
	for _, w := range loopInterest(t, pid, open, idle.steps) {
		// The listening socket is the first socket the server opened.
		if w.FD == open[0] || !slices.Contains(open, w.FD) {
			continue
		}
		watched++
		if w.Events&syscall.EPOLLOUT != 0 {
			writers++
		}
	}
	switch {
	case watched > idle.clients:
		return idle.steps.close, idle.steps.spin.gone(watched, idle.clients)
	case writers > idle.writing:
		return idle.steps.pending, idle.steps.spin.writers(writers, idle.writing)
	}
	return idle.step, idle.hint
}

// failIfEnded fails a check that could not read about the server in
// /proc because the server has ended: that end is the thing to report.
func failIfEnded(t *T, srv *Server, step int) {
	if _, err := srv.WaitExit(time.Second); err == nil {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the server ended (%v) while it should have been running", *srv.Exited()),
			Step:    step,
			Hint:    exitHint(srv.Process),
		})
	}
}

// settle waits until the server has printed nothing new for a moment, and
// the harness has read all it printed (and at most a few seconds), so that
// lines printed earlier, still on their way through the pipe, are not
// taken for new ones. It reports whether that moment came; it stops early,
// reporting false, once the server has gone round its loop spinRounds
// times meanwhile.
func settle(srv *Server) bool {
	all := func(string) bool { return true }
	n := srv.CountLines(all)
	loops := srv.CountLines(isDebug)
	for range 20 {
		time.Sleep(100 * time.Millisecond) // polling: no event says "nothing more"
		m := srv.CountLines(all)
		if m == n && srv.Unread() == 0 {
			return true
		}
		if srv.CountLines(isDebug)-loops > spinRounds {
			return false
		}
		n = m
	}
	return false
}

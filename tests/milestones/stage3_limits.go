package milestones

import (
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"workbook/tests/harness"
)

// Stage 3's challenges about limits: many clients, lines too long, and
// clients past -max-clients or past the descriptors the process may open.

func s3Thousand(t *T) {
	const n = 1000
	t.Descriptors(n) // one per client
	srv := startLoop(t)
	t.Notef("connecting %d clients", n)
	done := t.Busy()
	clients := make([]*harness.Conn, n)
	for i := range clients {
		clients[i] = t.Dial(srv, s3Watch)
	}
	done()
	waitCount(t, srv.Process, n, isConnected, strconv.Quote(ConnectedLine), s3AcceptAll, "")
	t.Notef("each of the %d sends a line, then each reads its reply", n)
	done = t.Busy()
	want := []string{ListeningLine(srv.Port)}
	var messages []string
	for i, c := range clients {
		line := fmt.Sprintf("I am client %d of %d\n", i+1, n)
		if err := c.Send(line); err != nil {
			t.Failf("%s could not send: %v", c.Name(), err)
		}
		want = append(want, ConnectedLine)
		messages = append(messages, MessageLine(line))
	}
	for i, c := range clients {
		line := fmt.Sprintf("I am client %d of %d\n", i+1, n)
		t.ExpectReply(c, line, reply(line), s3AcceptAll)
	}
	done()
	expectDetails(t, srv.Process, append(want, messages...), n, s3Serve)
	expectWatched(t, srv, n+1, s3Epoll)
	t.Notef("all %d leave", n)
	for _, c := range clients {
		c.Close()
	}
	waitCount(t, srv.Process, n, isGone, strconv.Quote(DisconnectedLine), s3Serve, "")
	expectSockets(t, srv, 1, s3Serve, "Close each client's socket once it has gone.")
}

// tooLongDropped is what a server should do with a line over -max-line.
const tooLongDropped = "the server should drop a client that sends a line over the limit, without answering it"

func s3LongLine(t *T) {
	srv := startLoop(t, "-max-line", "16")
	bystander := dialAndWait(t, srv, 1)
	c := dialAndWait(t, srv, 2)
	want := []string{ListeningLine(srv.Port), ConnectedLine, ConnectedLine}
	want = append(want, t.Exchange(c, s3Serve, "0123456789abcdef\n", "0123456789abcde\r\n")...)
	c.Send("0123456789abcdefg\n")
	t.ExpectClosed(c, tooLongDropped, "a 17-byte line with -max-line 16", s3Serve)
	want = append(want, AnyWarning, DisconnectedLine)
	want = append(want, t.Exchange(bystander, s3Serve, "unaffected\n")...)
	expectDetails(t, srv.Process, want, 0, s3Serve)

	t.Notef("now the default limit, 65,536 bytes")
	srv = startLoop(t)
	bystander = dialAndWait(t, srv, 1)
	c = dialAndWait(t, srv, 2)
	fits := strings.Repeat("a", 65535) + "b\n"
	c.Send(fits)
	t.ExpectBytes(c, fits, reply(fits), s3Serve)
	c.Send(strings.Repeat("c", 100_000))
	t.ExpectClosed(c, tooLongDropped, "100,000 bytes with no newline", s3Serve)
	want = []string{ListeningLine(srv.Port), ConnectedLine, ConnectedLine, MessageLine(fits), AnyWarning, DisconnectedLine}
	want = append(want, t.Exchange(bystander, s3Serve, "still fine\n")...)
	expectDetails(t, srv.Process, want, 0, s3Serve)
}

func s3MaxClients(t *T) {
	srv := startLoop(t, "-max-clients", "3")
	var served []*harness.Conn
	for i := range 3 {
		served = append(served, dialAndWait(t, srv, i+1))
	}
	for i, c := range served {
		t.Exchange(c, s3Serve, fmt.Sprintf("client %d\n", i+1))
	}
	for n := range 2 {
		c, line := dialAndSee(t, srv)
		if isConnected(line) {
			t.Fail(Failure{
				Summary: fmt.Sprintf("with -max-clients 3 and 3 clients connected, the server accepted a %s one", []string{"4th", "5th"}[n]),
				Want:    AnyWarning,
				Got:     line,
				Step:    s3Refuse,
			})
		}
		expectRefused(t, c)
	}
	if n := srv.CountLines(isWarn); n != 2 {
		t.Fail(Failure{
			Summary: fmt.Sprintf("the server printed %d [WARN] lines for 2 clients refused; it should be one each", n),
			Want:    "2",
			Got:     fmt.Sprint(n),
			Step:    s3Refuse,
		})
	}
	t.Notef("the three clients are still served")
	for i, c := range served {
		t.Exchange(c, s3Serve, fmt.Sprintf("client %d again\n", i+1))
	}
	expectIdle(t, srv, idleServer{clients: 3, steps: s3Epoll, step: s3Refuse,
		hint: "A client left in the queue keeps the listening socket readable, so EpollWait returns at once, " +
			"again and again. Accept it and close it."})
	t.Notef("one leaves, and there is room for one more")
	served[0].Close()
	waitCount(t, srv.Process, 1, isGone, strconv.Quote(DisconnectedLine), s3Serve, "")
	c := dialAndWait(t, srv, 4)
	t.Exchange(c, s3Refuse, "my turn\n")
	expectSockets(t, srv, 4, s3Serve, "Close the socket of each client refused.")
}

// dialAndSee connects a client and returns the next line the server
// prints about a client arriving: the connected line, or a [WARN] line.
func dialAndSee(t *T, srv *Server) (*harness.Conn, string) {
	before := srv.CountLines(isConnOrWarn)
	loops := srv.CountLines(isDebug)
	cpu, _ := harness.CPUTime(srv.Pid())
	start := time.Now()
	name := t.nextClient()
	c, err := t.tryDial(srv, name)
	if err != nil {
		failOutOfDescriptors(t, srv, name)
		t.failDial(srv, err, s3Refuse)
	}
	if _, spun, err := waitOrSpin(srv.Process, before+1, isConnOrWarn, loops); err != nil || spun {
		want := fmt.Sprintf("%q or a [WARN] line, for %s", ConnectedLine, c.Name())
		// A loop that spins shows in its [DEBUG] lines, thousands of them,
		// or in its CPU time. The lines are the surer sign: a spinning
		// server that prints them may spend most of its time blocked on a
		// full stdout pipe, on a busy machine, and use little CPU.
		cpu2, err2 := harness.CPUTime(srv.Pid())
		rounds := srv.CountLines(isDebug) - loops
		if spun || (errors.Is(err, harness.ErrTimeout) && (rounds > 100 || (err2 == nil && cpu2-cpu > time.Since(start)/4))) {
			t.Fail(Failure{
				Summary: fmt.Sprintf("the server neither served nor refused %s; "+
					"meanwhile it went round its loop %d times and used %v of CPU in %v: it spins",
					c.Name(), rounds, (cpu2 - cpu).Round(time.Millisecond), time.Since(start).Round(time.Millisecond)),
				Want: want,
				Step: s3Refuse,
				Hint: "A client left waiting in the queue keeps the listening socket readable, so EpollWait returns at once, " +
					"again and again. Accept the client even when you cannot serve it, then close it.",
			})
		}
		failOutOfDescriptors(t, srv, c.Name())
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

// failOutOfDescriptors fails the check if the server has ended because it
// ran out of descriptors (EMFILE), whether that showed while client (who)
// connected or while the check waited for the server's line about it.
func failOutOfDescriptors(t *T, srv *Server, who harness.Who) {
	srv.WaitExit(time.Second) // an ended program is noticed at once
	l, ok := stderrLine(srv.Process, "too many open files")
	if !ok || srv.Exited() == nil {
		return
	}
	t.Fail(Failure{
		Summary: fmt.Sprintf("the server ended (%v) when it ran out of descriptors, instead of refusing %s", srv.Exited(), who),
		Want:    fmt.Sprintf("%q or a [WARN] line, for %s", ConnectedLine, who),
		Got:     l,
		Step:    s3Refuse,
		Hint: "Running out of descriptors is not a reason to stop: " +
			"when Accept4 fails with EMFILE or ENFILE, refuse the waiting client with s.refuseWithSpare(), " +
			"and go on accepting while it reports true.",
	})
}

// expectRefused checks that the server refused c: closed its connection at
// once, without serving it.
func expectRefused(t *T, c *harness.Conn) {
	t.ExpectClosed(c, fmt.Sprintf("the server should refuse %s: close its connection at once, sending nothing", c.Name()), "", s3Refuse)
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
		t.Exchange(c, s3Serve, fmt.Sprintf("client %d still here\n", i+1))
	}
	expectIdle(t, srv, idleServer{clients: len(served), steps: s3Epoll, step: s3Refuse,
		hint: "accept(2) fails with EMFILE and leaves the client in the queue, so the listening socket stays readable. " +
			"Refuse the client instead: close a spare descriptor, accept, close, reopen the spare."})
	t.Notef("two clients leave; a new one must be served")
	served[0].Close()
	served[1].Close()
	waitCount(t, srv.Process, 2, isGone, strconv.Quote(DisconnectedLine), s3Serve, "")
	c, line := dialAndSee(t, srv)
	if !isConnected(line) {
		t.Fail(Failure{
			Summary: "after two clients left, a new client should be served again",
			Want:    ConnectedLine,
			Got:     line,
			Step:    s3Refuse,
			Hint:    "Open the spare descriptor again after each refusal, so that it is there for the next one and the numbers freed go to new clients.",
		})
	}
	t.Exchange(c, s3Serve, "room again\n")
}

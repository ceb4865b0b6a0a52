package tests

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"workbook/tests/harness"
	"workbook/tests/milestones"
)

// The goroutine server in solutions/experiments is the load generator's
// comparison peer for Stage 3, so it must keep the same protocol and log
// lines. It is held to them by the Stage 1 checks that do not depend on
// Stage 1 serving a single client, and by the checks below for what a
// concurrent server adds. (Stage 3's own checks expect the [DEBUG] Epoll
// wait lines and an epoll interest list of the server's own, which this
// server, by design, does not have.)

const goroutineServerDir = "solutions/experiments/goroutine-server"

// stage1ChecksForConcurrentServers are the IDs of the Stage 1 checks that
// any server of the workbook must pass, whatever it does after its first
// client leaves.
var stage1ChecksForConcurrentServers = []string{
	"M1", "M2", "split", "crlf", "utf8", "binary", "pipelined", "port-in-use", "port-0", "bad-flags",
}

func TestGoroutineServer(t *testing.T) {
	prog := milestones.Program{Bin: build(t, goroutineServerDir), Run: "go run ./" + goroutineServerDir, Busy: busy}
	// For the report only: where a failure tells the reader to look.
	st := &milestones.Stage{Dir: goroutineServerDir, Title: "the goroutine-per-client comparison server"}
	var checks []*milestones.Check
	for _, c := range milestones.StageByNumber(1).Checks {
		if slices.Contains(stage1ChecksForConcurrentServers, c.ID) {
			checks = append(checks, c)
		}
	}
	checks = append(checks, concurrentServerChecks...)
	for _, c := range checks {
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			if c.ID == "fd-limit" {
				if _, err := exec.LookPath("prlimit"); err != nil {
					t.Skip("needs prlimit (util-linux) to start the server with few file descriptors")
				}
			}
			res := milestones.Run(context.Background(), c, prog)
			if res.Status != milestones.Passed {
				t.Fatalf("%s failed:\n%s", c.Name(), failureText(st, res, prog.Run))
			}
		})
	}
}

var concurrentServerChecks = []*milestones.Check{
	{
		ID: "eof-partial-stays", Kind: milestones.Challenge, Title: "answers a partial line at end of file and keeps serving",
		Hint: "At end of file, answer the unterminated rest reversed and without a terminator, close that client, and go on serving others.",
		Run:  checkPartialLineAtEOF,
	},
	{
		ID: "interleaved", Kind: milestones.Challenge, Title: "two clients interleaved, then ten at once",
		Hint: "Each client needs its own line buffer, and no client may wait for another.",
		Run:  checkInterleaved,
	},
	{
		ID: "long-line-others", Kind: milestones.Challenge, Title: "drops a client whose line is too long, not the others",
		Hint: "Past -max-line, print one [WARN] line and the disconnect line, close that client only.",
		Run:  checkLongLine,
	},
	{
		ID: "reset-stays", Kind: milestones.Challenge, Title: "a client that resets does not stop the server",
		Hint: "A read error such as ECONNRESET ends that client only; its unfinished line is not answered.",
		Run:  checkReset,
	},
	{
		ID: "slow-reader", Kind: milestones.Challenge, Title: "a client that never reads does not stall the others",
		Hint: "A client whose replies back up may wait; the others must not wait with it.",
		Run:  checkSlowReader,
	},
	{
		ID: "max-clients", Kind: milestones.Challenge, Title: "refuses clients past -max-clients",
		Hint: "Past -max-clients, close a new client at once with one [WARN] line; a freed place can be taken again.",
		Run:  checkMaxClients,
	},
	{
		ID: "fd-limit", Kind: milestones.Challenge, Title: "refuses clients when out of file descriptors",
		Hint: "When accept(2) fails with EMFILE the client stays queued: refuse it with one [WARN] line instead of failing again at once for ever.",
		Run:  checkFDLimit,
	},
	{
		ID: "signals", Kind: milestones.Challenge, Title: "SIGINT and SIGTERM end it with status 0",
		Hint: "Catch SIGINT and SIGTERM, print the shutting-down line, exit with status 0.",
		Run:  checkSignals,
	},
	{
		ID: "quiet", Kind: milestones.Challenge, Title: "-quiet prints no per-client lines",
		Hint: "-quiet keeps the listening, [WARN] and [ERROR] lines only.",
		Run:  checkQuiet,
	},
}

// join connects a new client and waits for the server to announce it.
func join(t *milestones.T, srv *milestones.Server) *harness.Conn {
	c := t.Dial(srv, 0)
	t.WaitLine(srv.Process, milestones.ConnectedLine, 0)
	return c
}

func checkPartialLineAtEOF(t *milestones.T) {
	srv := t.StartServer(0)
	c := join(t, srv)
	c.Send("abc\nd")
	t.ExpectReply(c, "abc\nd", "cba\n", 0)
	c.Send("ef")
	c.CloseWrite()
	if got, err := c.ReadToEOF(10 * time.Second); got != "fed" || err != nil {
		t.Fail(milestones.Failure{Summary: "after end of file the server should answer the unterminated \"def\" and close", Sent: "def", Want: "fed", Got: got})
	}
	t.WaitLine(srv.Process, milestones.DisconnectedLine, 0)
	t.Exchange(join(t, srv), 0, "next\n")
	t.ExpectOutput(srv.Process, []string{
		milestones.ListeningLine(srv.Port),
		milestones.ConnectedLine, "[CLIENT MESSAGE] abc", "[CLIENT MESSAGE] def", milestones.DisconnectedLine,
		milestones.ConnectedLine, "[CLIENT MESSAGE] next",
	}, 0)
}

func checkInterleaved(t *milestones.T) {
	srv := t.StartServer(0)
	a, b := join(t, srv), join(t, srv)
	t.Exchange(a, 0, "from a\n")
	t.Exchange(b, 0, "from b\n")
	a.Send("one ")
	t.Exchange(b, 0, "two\n") // a's unfinished line does not hold b up
	a.Send("line\n")
	t.ExpectReply(a, "line\n", "enil eno\n", 0) // a's line, begun with "one "

	t.Notef("ten clients: each sends before any reads")
	var ten []*harness.Conn
	for range 10 {
		ten = append(ten, join(t, srv))
	}
	for i, c := range ten {
		c.Send(fmt.Sprintf("client %d\n", i))
	}
	for i, c := range ten {
		t.ExpectReply(c, fmt.Sprintf("client %d\n", i), fmt.Sprintf("%d tneilc\n", i), 0)
	}
}

func checkLongLine(t *milestones.T) {
	srv := t.StartServer(0, "-max-line", "16")
	a, b := join(t, srv), join(t, srv)
	t.Exchange(a, 0, "0123456789abcdef\n")
	a.Send("0123456789abcdefg\n")
	t.ExpectClosed(a, "a client that sends a line over -max-line should be dropped without a reply", "", 0)
	t.WaitLine(srv.Process, milestones.DisconnectedLine, 0)
	t.Exchange(b, 0, "still here\n")
	t.ExpectOutput(srv.Process, []string{
		milestones.ListeningLine(srv.Port), milestones.ConnectedLine, milestones.ConnectedLine,
		"[CLIENT MESSAGE] 0123456789abcdef", milestones.AnyWarning, milestones.DisconnectedLine,
		"[CLIENT MESSAGE] still here",
	}, 0)
}

func checkReset(t *milestones.T) {
	srv := t.StartServer(0)
	a := join(t, srv)
	t.Exchange(a, 0, "abc\n")
	a.Send("half a li")
	a.Reset()
	t.WaitLine(srv.Process, milestones.DisconnectedLine, 0)
	t.Exchange(join(t, srv), 0, "x\n")
	t.ExpectOutput(srv.Process, []string{
		milestones.ListeningLine(srv.Port),
		milestones.ConnectedLine, "[CLIENT MESSAGE] abc", milestones.DisconnectedLine,
		milestones.ConnectedLine, "[CLIENT MESSAGE] x",
	}, 0)
}

func checkSlowReader(t *milestones.T) {
	srv := t.StartServer(0, "-quiet")
	slow := t.Dial(srv, 0)
	fast := t.Dial(srv, 0)
	t.Notef("the slow client sends 16 MiB of lines and reads nothing")
	go slow.Send(strings.Repeat(strings.Repeat("x", 63)+"\n", 1<<18)) // ends with an error when the check closes slow
	for i := range 20 {
		t.Exchange(fast, 0, fmt.Sprintf("fast %c\n", 'a'+i))
	}
}

func checkMaxClients(t *milestones.T) {
	srv := t.StartServer(0, "-max-clients", "2")
	a, b := join(t, srv), join(t, srv)
	c := t.Dial(srv, 0)
	t.ExpectClosed(c, "a third client with -max-clients 2 should be closed at once", "", 0)
	t.WaitLine(srv.Process, "[WARN] 2 clients already connected (-max-clients): refusing a new client", 0)
	t.Exchange(b, 0, "b\n")
	a.Close()
	t.WaitLine(srv.Process, milestones.DisconnectedLine, 0)
	t.Exchange(join(t, srv), 0, "new\n")
}

func checkFDLimit(t *milestones.T) {
	srv := t.StartServerWith(harness.Options{Wrap: []string{"prlimit", "--nofile=24", "--"}}, 0, "")
	var clients []*harness.Conn
	for len(clients) < 30 {
		c := t.Dial(srv, 0)
		line, err := srv.WaitLine(10*time.Second, func(s string) bool {
			return s == milestones.ConnectedLine || strings.HasPrefix(s, milestones.WarnPrefix)
		})
		if err != nil {
			t.Failf("after client %d connected, the server printed neither the connected line nor a [WARN] line: %v", len(clients)+1, err)
		}
		if line != milestones.ConnectedLine {
			t.ExpectClosed(c, "a client refused for want of descriptors should be closed at once", "", 0)
			break
		}
		clients = append(clients, c)
	}
	if len(clients) == 30 {
		t.Failf("30 clients were accepted with a limit of 24 descriptors")
	}
	t.Notef("%d clients were accepted before the descriptors ran out", len(clients))
	t.Exchange(clients[0], 0, "still served\n")
	clients[1].Close()
	t.WaitLine(srv.Process, milestones.DisconnectedLine, 0)
	t.Exchange(join(t, srv), 0, "a freed descriptor\n")
}

func checkSignals(t *milestones.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		srv := t.StartServer(0)
		c := join(t, srv)
		srv.Signal(sig)
		t.WaitLine(srv.Process, milestones.ShutdownLine, 0)
		t.ExpectExit(srv.Process, 0, 0)
		t.ExpectClosed(c, "the server's clients should read end of file once it has exited", "", 0)
	}
}

func checkQuiet(t *milestones.T) {
	srv := t.StartServer(0, "-quiet", "-max-line", "4")
	c := t.Dial(srv, 0)
	t.Exchange(c, 0, "abcd\n")
	c.Send("abcde\n")
	t.ExpectClosed(c, "a line over -max-line should drop the client, -quiet or not", "", 0)
	t.ExpectOutput(srv.Process, []string{milestones.ListeningLine(srv.Port), milestones.AnyWarning}, 0)
}

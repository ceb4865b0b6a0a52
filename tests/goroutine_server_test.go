package tests

import (
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
	prog := milestones.Program{Bin: build(t, goroutineServerDir), Run: "go run ./" + goroutineServerDir}
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
			res := milestones.Run(c, prog)
			if res.Status != milestones.Passed {
				t.Fatalf("%s failed:\n%s", c.Name(), failureText(st, res, prog.Run))
			}
		})
	}
}

// The lines a concurrent server prints, besides Stage 1's (SPEC §4).
const (
	connected    = "[INFO] Client connected to server"
	disconnected = "[INFO] Client disconnected"
	shuttingDown = "[INFO] Server shutting down"
	anyWarning   = "[WARN] …" // as milestones.MatchLine reads it
)

func listening(srv *milestones.Server) string {
	return fmt.Sprintf("[INFO] Server listening on port %d", srv.Port)
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
	t.WaitLine(srv.Process, connected, 0)
	return c
}

// exchange sends line on c and expects want back.
func exchange(t *milestones.T, c *harness.Conn, line, want string) {
	if err := c.Send(line); err != nil {
		t.Failf("could not send to the server: %v", err)
	}
	t.ExpectReply(c, line, want, 0)
}

// expectClosed expects the server to close c without another byte.
func expectClosed(t *milestones.T, c *harness.Conn, why string) {
	got, err := c.ReadToEOF(10 * time.Second)
	if got != "" || err != nil {
		t.Fail(milestones.Failure{Summary: why, Want: "end of file, and no bytes", Got: fmt.Sprintf("%q, then %v", got, err)})
	}
}

func checkPartialLineAtEOF(t *milestones.T) {
	srv := t.StartServer(0)
	c := join(t, srv)
	exchange(t, c, "abc\nd", "cba\n")
	c.Send("ef")
	c.CloseWrite()
	if got, err := c.ReadToEOF(10 * time.Second); got != "fed" || err != nil {
		t.Fail(milestones.Failure{Summary: "after end of file the server should answer the unterminated \"def\" and close", Sent: "def", Want: "fed", Got: got})
	}
	t.WaitLine(srv.Process, disconnected, 0)
	exchange(t, join(t, srv), "next\n", "txen\n")
	t.ExpectOutput(srv.Process, []string{
		listening(srv), connected, "[CLIENT MESSAGE] abc", "[CLIENT MESSAGE] def", disconnected,
		connected, "[CLIENT MESSAGE] next",
	}, 0)
}

func checkInterleaved(t *milestones.T) {
	srv := t.StartServer(0)
	a, b := join(t, srv), join(t, srv)
	exchange(t, a, "from a\n", "a morf\n")
	exchange(t, b, "from b\n", "b morf\n")
	a.Send("one ")
	exchange(t, b, "two\n", "owt\n") // a's unfinished line does not hold b up
	exchange(t, a, "line\n", "enil eno\n")

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
	exchange(t, a, "0123456789abcdef\n", "fedcba9876543210\n")
	a.Send("0123456789abcdefg\n")
	expectClosed(t, a, "a client that sends a line over -max-line should be dropped without a reply")
	t.WaitLine(srv.Process, disconnected, 0)
	exchange(t, b, "still here\n", "ereh llits\n")
	t.ExpectOutput(srv.Process, []string{
		listening(srv), connected, connected, "[CLIENT MESSAGE] 0123456789abcdef", anyWarning, disconnected,
		"[CLIENT MESSAGE] still here",
	}, 0)
}

func checkReset(t *milestones.T) {
	srv := t.StartServer(0)
	a := join(t, srv)
	exchange(t, a, "abc\n", "cba\n")
	a.Send("half a li")
	a.Reset()
	t.WaitLine(srv.Process, disconnected, 0)
	exchange(t, join(t, srv), "x\n", "x\n")
	t.ExpectOutput(srv.Process, []string{
		listening(srv), connected, "[CLIENT MESSAGE] abc", disconnected, connected, "[CLIENT MESSAGE] x",
	}, 0)
}

func checkSlowReader(t *milestones.T) {
	srv := t.StartServer(0, "-quiet")
	slow := t.Dial(srv, 0)
	fast := t.Dial(srv, 0)
	t.Notef("the slow client sends 16 MiB of lines and reads nothing")
	go slow.Send(strings.Repeat(strings.Repeat("x", 63)+"\n", 1<<18)) // ends with an error when the check closes slow
	for i := range 20 {
		exchange(t, fast, fmt.Sprintf("fast %c\n", 'a'+i), fmt.Sprintf("%c tsaf\n", 'a'+i))
	}
}

func checkMaxClients(t *milestones.T) {
	srv := t.StartServer(0, "-max-clients", "2")
	a, b := join(t, srv), join(t, srv)
	c := t.Dial(srv, 0)
	expectClosed(t, c, "a third client with -max-clients 2 should be closed at once")
	t.WaitLine(srv.Process, "[WARN] 2 clients already connected (-max-clients): refusing a new client", 0)
	exchange(t, b, "b\n", "b\n")
	a.Close()
	t.WaitLine(srv.Process, disconnected, 0)
	exchange(t, join(t, srv), "new\n", "wen\n")
}

func checkFDLimit(t *milestones.T) {
	p := t.StartWith(harness.Options{Wrap: []string{"prlimit", "--nofile=24", "--"}, Args: []string{"-port", "0"}})
	line, err := p.NextLine(10 * time.Second)
	var port int
	if _, serr := fmt.Sscanf(line, "[INFO] Server listening on port %d", &port); err != nil || serr != nil {
		t.Failf("started with 24 file descriptors, the server did not print its listening line: %q, %v", line, err)
	}
	srv := &milestones.Server{Process: p, Port: port}
	var clients []*harness.Conn
	for len(clients) < 30 {
		c := t.Dial(srv, 0)
		line, err := p.WaitLine(10*time.Second, func(s string) bool { return s == connected || strings.HasPrefix(s, "[WARN]") })
		if err != nil {
			t.Failf("after client %d connected, the server printed neither the connected line nor a [WARN] line: %v", len(clients)+1, err)
		}
		if line != connected {
			expectClosed(t, c, "a client refused for want of descriptors should be closed at once")
			break
		}
		clients = append(clients, c)
	}
	if len(clients) == 30 {
		t.Failf("30 clients were accepted with a limit of 24 descriptors")
	}
	t.Notef("%d clients were accepted before the descriptors ran out", len(clients))
	exchange(t, clients[0], "still served\n", "devres llits\n")
	clients[1].Close()
	t.WaitLine(p, disconnected, 0)
	exchange(t, join(t, srv), "a freed descriptor\n", "rotpircsed deerf a\n")
}

func checkSignals(t *milestones.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		srv := t.StartServer(0)
		c := join(t, srv)
		srv.Signal(sig)
		t.WaitLine(srv.Process, shuttingDown, 0)
		t.ExpectExit(srv.Process, 0, 0)
		expectClosed(t, c, "the server's clients should read end of file once it has exited")
	}
}

func checkQuiet(t *milestones.T) {
	srv := t.StartServer(0, "-quiet", "-max-line", "4")
	c := t.Dial(srv, 0)
	exchange(t, c, "abcd\n", "dcba\n")
	c.Send("abcde\n")
	expectClosed(t, c, "a line over -max-line should drop the client, -quiet or not")
	t.ExpectOutput(srv.Process, []string{listening(srv), anyWarning}, 0)
}

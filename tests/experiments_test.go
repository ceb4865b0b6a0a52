package tests

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"workbook/tests/harness"
	"workbook/tests/milestones"
)

// The experiments of the Stage 2 lesson (stage2-client/README.md): each test
// runs what the lesson asks the learner to run and checks that it does what
// the lesson says.

// quiet is the quiet window in which a client must NOT be answered: it is
// waiting in the listening socket's queue, which no event announces.
const quiet = 300 * time.Millisecond

// secondClientWaits starts the server serverBin and two clients of it
// (clientBin), and types a line into the second, which must get no reply
// while the first is connected: why says so, for the failure.
func secondClientWaits(t *milestones.T, serverBin, clientBin, why string) (srv *milestones.Server, a, b *harness.Process) {
	srv = t.StartOtherServer(serverBin, 0)
	a = startClient(t, clientBin, srv.Port)
	t.ExpectLine(srv.Process, milestones.ConnectedLine, 0)
	b = startClient(t, clientBin, srv.Port)
	t.WriteStdin(b, "hello\n")
	t.ExpectNoLine(b, quiet, milestones.Failure{Summary: why})
	return srv, a, b
}

// TestExperimentTwoClients is experiment (a): two clients and the Stage 1
// server. Both connect, because the kernel completes the handshake and
// queues the connection; only the first is served; when the server exits
// after the first leaves, the second is reset.
func TestExperimentTwoClients(t *testing.T) {
	t.Parallel()
	serverBin := build(t, "solutions/stage1-server")
	clientBin := build(t, "solutions/stage2-client")
	story(t, func(t *milestones.T) {
		srv, a, b := secondClientWaits(t, serverBin, clientBin, "the second client should wait for a reply that never comes")
		t.WriteStdin(a, "one\n")
		t.ExpectLine(a, "[SERVER MESSAGE] eno", 0)
		t.CloseStdin(a)
		t.ExpectExit(a, 0, 0)
		t.ExpectExit(srv.Process, 1, 0)
		t.ExpectLine(b, milestones.ServerGoneLine, 0)
		t.ExpectExit(b, 1, 0)
		t.ExpectOutput(srv.Process, []string{
			milestones.ListeningLine(srv.Port),
			milestones.ConnectedLine,
			"[CLIENT MESSAGE] one",
			milestones.ClosingLine,
		}, 0)
		t.ExpectOutput(b, []string{milestones.ClientConnectedLine, milestones.ServerGoneLine}, 0)
	})
}

// TestExperimentIterativeServer is experiment (b): the iterative server
// serves the second client once the first has left, and keeps running.
func TestExperimentIterativeServer(t *testing.T) {
	t.Parallel()
	serverBin := build(t, "solutions/experiments/iterative-server")
	clientBin := build(t, "solutions/stage2-client")
	story(t, func(t *milestones.T) {
		srv, a, b := secondClientWaits(t, serverBin, clientBin, "the second client should wait while the first is served")
		t.WriteStdin(a, "one\n")
		t.ExpectLine(a, "[SERVER MESSAGE] eno", 0)
		t.CloseStdin(a)
		t.ExpectExit(a, 0, 0)
		t.ExpectLine(b, "[SERVER MESSAGE] olleh", 0)
		t.CloseStdin(b)
		t.ExpectExit(b, 0, 0)
		for _, want := range []string{
			"[CLIENT MESSAGE] one", milestones.DisconnectedLine,
			milestones.ConnectedLine, "[CLIENT MESSAGE] hello", milestones.DisconnectedLine,
		} {
			t.ExpectLine(srv.Process, want, 0)
		}
		if exit := srv.Exited(); exit != nil {
			t.Failf("the iterative server ended (%v); it should keep serving", exit)
		}
		// And a third client, to show it is still serving.
		c := startClient(t, clientBin, srv.Port)
		t.WriteStdin(c, "abc\n")
		t.ExpectLine(c, "[SERVER MESSAGE] cba", 0)
	})
}

// TestIterativeServerIsAStage1Copy keeps the iterative server what the
// lesson says it is: the Stage 1 solution with a loop around accept. Its
// helper files are the Stage 1 solution's, byte for byte.
func TestIterativeServerIsAStage1Copy(t *testing.T) {
	stage1 := filepath.Join(root, "solutions", "stage1-server")
	iter := filepath.Join(root, "solutions", "experiments", "iterative-server")
	for _, name := range goFiles(t, iter) {
		if name == "main.go" || name == "server.go" {
			continue // the two files the experiment changes
		}
		if !bytes.Equal(read(t, filepath.Join(stage1, name)), read(t, filepath.Join(iter, name))) {
			t.Errorf("%s differs from the Stage 1 solution's", name)
		}
	}
}

var (
	servedLine    = regexp.MustCompile(`^\[SERVED\] client (\d+) after (\S+)$`)
	notServedLine = regexp.MustCompile(`^\[NOT SERVED\] client (\d+): .+$`)
	timesLine     = regexp.MustCompile(`^\[REPORT\] median (\S+), slowest (\S+)$`)
)

// multiReport is what multi-client printed, parsed.
type multiReport struct {
	served, notServed []int // client numbers, in the order printed
	total             int   // from "[REPORT] N of M clients served"
	median, slowest   time.Duration
}

// runMultiClient runs multi-client (bin) with args to its end and parses
// its report, failing t if any line is out of shape.
func runMultiClient(t *milestones.T, bin string, port, n int, wantCode int, args ...string) multiReport {
	args = append(args, "-port", strconv.Itoa(port), "-n", strconv.Itoa(n))
	p := t.StartOther(bin, args...)
	t.ExpectExit(p, wantCode, 0)
	out := p.Output(harness.Stdout)
	if len(out) < n+2 {
		t.Failf("multi-client printed %d lines, want at least %d:\n%s", len(out), n+2, strings.Join(out, "\n"))
	}
	if want := fmt.Sprintf("[INFO] Starting %d clients against 127.0.0.1:%d", n, port); out[0] != want {
		t.Failf("first line %q, want %q", out[0], want)
	}
	r := clientLines(t, out[1:n+1], n)
	rest := out[n+1:]
	var served int
	if _, err := fmt.Sscanf(rest[0], "[REPORT] %d of %d clients served", &served, &r.total); err != nil || served != len(r.served) || r.total != n {
		t.Failf("report line %q; want \"[REPORT] %d of %d clients served\"", rest[0], len(r.served), n)
	}
	switch {
	case len(r.served) == 0 && len(rest) != 1:
		t.Failf("with no client served there are no times to report, but it printed %q", rest[1:])
	case len(r.served) > 0:
		m := timesLine.FindStringSubmatch(strings.Join(rest[1:], "\n"))
		if m == nil {
			t.Failf("after the count, want one line \"[REPORT] median D, slowest D\"; got %q", rest[1:])
		}
		var err1, err2 error
		r.median, err1 = time.ParseDuration(m[1])
		r.slowest, err2 = time.ParseDuration(m[2])
		if err1 != nil || err2 != nil || r.median > r.slowest {
			t.Failf("times line %q: want two durations, the median no greater than the slowest", rest[1])
		}
	}
	return r
}

// clientLines parses multi-client's line for each of its n clients: which
// were served, and which not.
func clientLines(t *milestones.T, lines []string, n int) multiReport {
	var r multiReport
	seen := map[int]bool{}
	for _, l := range lines {
		var m []string
		if m = servedLine.FindStringSubmatch(l); m != nil {
			id, _ := strconv.Atoi(m[1])
			r.served = append(r.served, id)
			if _, err := time.ParseDuration(m[2]); err != nil {
				t.Failf("%q: %v", l, err)
			}
		} else if m = notServedLine.FindStringSubmatch(l); m != nil {
			id, _ := strconv.Atoi(m[1])
			r.notServed = append(r.notServed, id)
		} else {
			t.Failf("line %q is neither [SERVED] nor [NOT SERVED]", l)
		}
		id, _ := strconv.Atoi(m[1])
		if id < 1 || id > n || seen[id] {
			t.Failf("line %q: each client from 1 to %d should be reported once", l, n)
		}
		seen[id] = true
	}
	return r
}

// TestExperimentMultiClient is experiment (c): many clients from one
// program. The iterative server serves every one of them, one after
// another; the Stage 1 server serves one and leaves the rest unserved.
func TestExperimentMultiClient(t *testing.T) {
	t.Parallel()
	multiClient := build(t, "solutions/experiments/multi-client")
	t.Run("iterative server", func(t *testing.T) {
		t.Parallel()
		serverBin := build(t, "solutions/experiments/iterative-server")
		story(t, func(t *milestones.T) {
			srv := t.StartOtherServer(serverBin, 0)
			const n = 5
			r := runMultiClient(t, multiClient, srv.Port, n, 0, "-hold", "50ms")
			if len(r.served) != n {
				t.Failf("%d of %d clients served, want all", len(r.served), n)
			}
			// One after another: each client connects, is answered, and
			// leaves before the next one is taken.
			want := []string{milestones.ListeningLine(srv.Port)}
			for range n {
				want = append(want, milestones.ConnectedLine, "[CLIENT MESSAGE] hello from client …", milestones.DisconnectedLine)
			}
			t.ExpectOutput(srv.Process, want, 0)
		})
	})
	t.Run("stage 1 server", func(t *testing.T) {
		t.Parallel()
		serverBin := build(t, "solutions/stage1-server")
		story(t, func(t *milestones.T) {
			srv := t.StartOtherServer(serverBin, 0)
			// As long as the checks wait for anything: the clients not
			// served wait that long for a reply.
			timeout := harness.Scaled(10 * time.Second).String()
			r := runMultiClient(t, multiClient, srv.Port, 3, 1, "-timeout", timeout)
			if len(r.served) != 1 || len(r.notServed) != 2 {
				t.Failf("served %v and not %v; want one client served and two not", r.served, r.notServed)
			}
			t.ExpectExit(srv.Process, 1, 0)
		})
	})
	t.Run("bad flags", func(t *testing.T) {
		t.Parallel()
		story(t, func(t *milestones.T) {
			for _, args := range [][]string{{"-n", "0"}, {"-n", "1001"}, {"-timeout", "0s"}, {"-hold", "-1s"}, {"-host", "localhost"}} {
				t.ExpectExit(t.StartOther(multiClient, args...), 2, 0)
			}
		})
	})
	t.Run("nothing listening", func(t *testing.T) {
		t.Parallel()
		story(t, func(t *milestones.T) {
			r := runMultiClient(t, multiClient, t.RefusingPort(), 2, 1)
			if len(r.served) != 0 {
				t.Failf("served %v with nothing listening", r.served)
			}
		})
	})
}

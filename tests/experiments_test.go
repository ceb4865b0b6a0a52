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
)

// The experiments of the Stage 2 lesson (stage2-client/README.md): each test
// runs what the lesson asks the learner to run and checks that it does what
// the lesson says.

// quiet is the quiet window in which a client must NOT be answered: it is
// waiting in the listening socket's queue, which no event announces.
const quiet = 300 * time.Millisecond

// TestExperimentTwoClients is experiment (a): two clients and the Stage 1
// server. Both connect, because the kernel completes the handshake and
// queues the connection; only the first is served; when the server exits
// after the first leaves, the second is reset.
func TestExperimentTwoClients(t *testing.T) {
	t.Parallel()
	serverBin := build(t, "solutions/stage1-server")
	clientBin := build(t, "solutions/stage2-client")
	tr := newTranscript(t)

	srv, port := startServer(t, serverBin, tr)
	a := startClient(t, clientBin, tr, port)
	expectLine(t, srv, "[INFO] Client connected to server")
	b := startClient(t, clientBin, tr, port)
	b.WriteStdin("hello\n")
	expectNoLine(t, b, quiet, "the second client should wait for a reply that never comes")
	a.WriteStdin("one\n")
	expectLine(t, a, "[SERVER MESSAGE] eno")
	a.CloseStdin()
	expectExit(t, a, 0)
	expectExit(t, srv, 1)
	expectLine(t, b, "[INFO] Server disconnected. Closing client")
	expectExit(t, b, 1)
	expectStdout(t, "the server", srv,
		"[INFO] Server listening on port "+strconv.Itoa(port),
		"[INFO] Client connected to server",
		"[CLIENT MESSAGE] one",
		"[INFO] Client disconnected. Closing server",
	)
	expectStdout(t, "the second client", b, "[INFO] Connected to server", "[INFO] Server disconnected. Closing client")
}

// TestExperimentIterativeServer is experiment (b): the iterative server
// serves the second client once the first has left, and keeps running.
func TestExperimentIterativeServer(t *testing.T) {
	t.Parallel()
	serverBin := build(t, "solutions/experiments/iterative-server")
	clientBin := build(t, "solutions/stage2-client")
	tr := newTranscript(t)

	srv, port := startServer(t, serverBin, tr)
	a := startClient(t, clientBin, tr, port)
	expectLine(t, srv, "[INFO] Client connected to server")
	b := startClient(t, clientBin, tr, port)
	b.WriteStdin("hello\n")
	expectNoLine(t, b, quiet, "the second client should wait while the first is served")
	a.WriteStdin("one\n")
	expectLine(t, a, "[SERVER MESSAGE] eno")
	a.CloseStdin()
	expectExit(t, a, 0)
	expectLine(t, b, "[SERVER MESSAGE] olleh")
	b.CloseStdin()
	expectExit(t, b, 0)
	expectLine(t, srv, "[CLIENT MESSAGE] one")
	expectLine(t, srv, "[INFO] Client disconnected")
	expectLine(t, srv, "[INFO] Client connected to server")
	expectLine(t, srv, "[CLIENT MESSAGE] hello")
	expectLine(t, srv, "[INFO] Client disconnected")
	if exit := srv.Exited(); exit != nil {
		t.Fatalf("the iterative server ended (%v); it should keep serving", exit)
	}
	// And a third client, to show it is still serving.
	c := startClient(t, clientBin, tr, port)
	c.WriteStdin("abc\n")
	expectLine(t, c, "[SERVER MESSAGE] cba")
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

// runMultiClient runs multi-client with args to its end and parses its
// report, failing t if any line is out of shape.
func runMultiClient(t *testing.T, tr *harness.Transcript, port, n int, wantCode int, args ...string) multiReport {
	t.Helper()
	bin := build(t, "solutions/experiments/multi-client")
	args = append(args, "-port", strconv.Itoa(port), "-n", strconv.Itoa(n))
	p := start(t, bin, tr, args...)
	expectExit(t, p, wantCode)
	out := p.Output(harness.Stdout)
	if len(out) < n+2 {
		t.Fatalf("multi-client printed %d lines, want at least %d:\n%s", len(out), n+2, strings.Join(out, "\n"))
	}
	if want := fmt.Sprintf("[INFO] Starting %d clients against 127.0.0.1:%d", n, port); out[0] != want {
		t.Errorf("first line %q, want %q", out[0], want)
	}
	var r multiReport
	seen := map[int]bool{}
	for _, l := range out[1 : n+1] {
		var m []string
		if m = servedLine.FindStringSubmatch(l); m != nil {
			id, _ := strconv.Atoi(m[1])
			r.served = append(r.served, id)
			if _, err := time.ParseDuration(m[2]); err != nil {
				t.Errorf("%q: %v", l, err)
			}
		} else if m = notServedLine.FindStringSubmatch(l); m != nil {
			id, _ := strconv.Atoi(m[1])
			r.notServed = append(r.notServed, id)
		} else {
			t.Fatalf("line %q is neither [SERVED] nor [NOT SERVED]", l)
		}
		id, _ := strconv.Atoi(m[1])
		if id < 1 || id > n || seen[id] {
			t.Errorf("line %q: each client from 1 to %d should be reported once", l, n)
		}
		seen[id] = true
	}
	rest := out[n+1:]
	var served int
	if _, err := fmt.Sscanf(rest[0], "[REPORT] %d of %d clients served", &served, &r.total); err != nil || served != len(r.served) || r.total != n {
		t.Errorf("report line %q; want \"[REPORT] %d of %d clients served\"", rest[0], len(r.served), n)
	}
	switch {
	case len(r.served) == 0 && len(rest) != 1:
		t.Errorf("with no client served there are no times to report, but it printed %q", rest[1:])
	case len(r.served) > 0:
		m := timesLine.FindStringSubmatch(strings.Join(rest[1:], "\n"))
		if m == nil {
			t.Fatalf("after the count, want one line \"[REPORT] median D, slowest D\"; got %q", rest[1:])
		}
		var err1, err2 error
		r.median, err1 = time.ParseDuration(m[1])
		r.slowest, err2 = time.ParseDuration(m[2])
		if err1 != nil || err2 != nil || r.median > r.slowest {
			t.Errorf("times line %q: want two durations, the median no greater than the slowest", rest[1])
		}
	}
	return r
}

// TestExperimentMultiClient is experiment (c): many clients from one
// program. The iterative server serves every one of them, one after
// another; the Stage 1 server serves one and leaves the rest unserved.
func TestExperimentMultiClient(t *testing.T) {
	t.Parallel()
	t.Run("iterative server", func(t *testing.T) {
		t.Parallel()
		tr := newTranscript(t)
		srv, port := startServer(t, build(t, "solutions/experiments/iterative-server"), tr)
		const n = 5
		r := runMultiClient(t, tr, port, n, 0, "-hold", "50ms")
		if len(r.served) != n {
			t.Errorf("%d of %d clients served, want all", len(r.served), n)
		}
		// One after another: each client connects, is answered, and leaves
		// before the next one is taken.
		var want []string
		for range n {
			want = append(want, "[INFO] Client connected to server", "[CLIENT MESSAGE] hello from client …", "[INFO] Client disconnected")
		}
		for i, w := range want {
			got, err := srv.NextLine(wait)
			if err != nil {
				t.Fatalf("server line %d: %v", i+2, err)
			}
			if prefix, ok := strings.CutSuffix(w, "…"); ok && strings.HasPrefix(got, prefix) || got == w {
				continue
			}
			t.Fatalf("server line %d is %q, want %q: the clients should be served one after another", i+2, got, w)
		}
	})
	t.Run("stage 1 server", func(t *testing.T) {
		t.Parallel()
		tr := newTranscript(t)
		srv, port := startServer(t, build(t, "solutions/stage1-server"), tr)
		r := runMultiClient(t, tr, port, 3, 1, "-timeout", harness.Scaled(wait).String())
		if len(r.served) != 1 || len(r.notServed) != 2 {
			t.Errorf("served %v and not %v; want one client served and two not", r.served, r.notServed)
		}
		expectExit(t, srv, 1)
	})
	t.Run("bad flags", func(t *testing.T) {
		t.Parallel()
		tr := newTranscript(t)
		bin := build(t, "solutions/experiments/multi-client")
		for _, args := range [][]string{{"-n", "0"}, {"-n", "1001"}, {"-timeout", "0s"}, {"-hold", "-1s"}, {"-host", "localhost"}} {
			p := start(t, bin, tr, args...)
			expectExit(t, p, 2)
		}
	})
	t.Run("nothing listening", func(t *testing.T) {
		t.Parallel()
		tr := newTranscript(t)
		port, release, err := harness.RefusingPort()
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		r := runMultiClient(t, tr, port, 2, 1)
		if len(r.served) != 0 {
			t.Errorf("served %v with nothing listening", r.served)
		}
	})
}

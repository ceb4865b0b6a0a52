package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"workbook/tests/harness"
)

// These tests run the load generator for a few hundred requests against
// real servers: the goroutine server from solutions/experiments, and small
// servers written here that answer wrongly on purpose. They never look at
// how fast anything was.

// goroutineServer builds and starts the goroutine server on a free port.
func goroutineServer(t *testing.T) (addr string, pid int) {
	t.Helper()
	return startProgram(t, "../../../solutions/experiments/goroutine-server", []string{"-quiet"}, "[INFO] Server listening on port %d")
}

// startProgram builds the program in dir and starts it on a free port with
// args, stopped when the test ends. It returns once the program has printed
// listening, a format for the port; with its address and process ID.
func startProgram(t *testing.T, dir string, args []string, listening string) (addr string, pid int) {
	t.Helper()
	bin, err := harness.Build(context.Background(), dir, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	p, port, err := harness.StartServer(bin, harness.Options{Args: args}, func(p *harness.Process, port int) error {
		_, err := p.WaitLine(10*time.Second, func(s string) bool { return s == fmt.Sprintf(listening, port) })
		return err
	})
	if p != nil {
		t.Cleanup(p.Stop)
	}
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", port), p.Pid()
}

// testConfig returns a configuration for a short run against addr: it ends
// after requests replies, with -duration only as a backstop.
func testConfig(addr, mode string, requests int64) config {
	return config{
		addr:     addr,
		conns:    4,
		duration: harness.Scaled(time.Minute),
		size:     32,
		mode:     mode,
		depth:    8,
		ramp:     2,
		timeout:  harness.Scaled(10 * time.Second),
		requests: requests,
		label:    "test",
	}
}

func TestRunAgainstGoroutineServer(t *testing.T) {
	addr, pid := goroutineServer(t)
	for _, mode := range []string{modeClosed, modePipelined} {
		t.Run(mode, func(t *testing.T) {
			cfg := testConfig(addr, mode, 300)
			cfg.pid = pid
			s, err := run(context.Background(), cfg, progress{})
			if err != nil {
				t.Fatal(err)
			}
			if s.errors != 0 || s.requests < 300 {
				t.Fatalf("errors = %d, requests = %d; want 0 errors and at least 300 requests; failures: %q", s.errors, s.requests, s.failures)
			}
			f, ok := parseSummary(s.String())
			if !ok {
				t.Fatalf("the summary line does not parse: %s", s.String())
			}
			for _, k := range []string{"rps", "p50_us", "p99_us", "max_us", "cpu_us_per_req", "client_cpu_us_per_req", "rss_kib"} {
				if _, err := strconv.ParseFloat(f[k], 64); err != nil {
					t.Errorf("%s=%s, want a number: %s", k, f[k], s.String())
				}
			}
			if want := map[string]string{"mode": mode, "conns": "4", "size": "32", "errors": "0", "label": "test"}; !subset(want, f) {
				t.Errorf("summary %s, want %v in it", s.String(), want)
			}
			if mode == modePipelined && f["depth"] != "8" || mode == modeClosed && f["depth"] != "1" {
				t.Errorf("depth=%s in %s mode", f["depth"], mode)
			}
		})
	}
	t.Run(modeIdle, func(t *testing.T) {
		cfg := testConfig(addr, modeIdle, 0)
		cfg.conns, cfg.duration, cfg.pid = 50, 0, pid
		s, err := run(context.Background(), cfg, progress{})
		if err != nil {
			t.Fatal(err)
		}
		f, _ := parseSummary(s.String())
		if s.errors != 0 || s.requests != 50 || f["rss_per_conn_b"] == notMeasured || f["rps"] != notMeasured {
			t.Errorf("summary %s; want 50 requests (one per connection), no errors, a memory figure and no rate; failures: %q", s.String(), s.failures)
		}
	})
}

func subset(want, got map[string]string) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

// fakeServer is a server on a free port that answers each line with what
// answer returns; n counts the lines received so far on all connections,
// from 1. A nil reply sends nothing back.
func fakeServer(t *testing.T, answer func(n int64, line []byte) []byte) string {
	t.Helper()
	return fakeServerWrites(t, answer, false)
}

// fakeServerWrites is fakeServer, sending each reply in two writes when
// split is true.
func fakeServerWrites(t *testing.T, answer func(n int64, line []byte) []byte, split bool) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var conns sync.Map
	t.Cleanup(func() {
		ln.Close()
		conns.Range(func(c, _ any) bool { c.(net.Conn).Close(); return true })
		wg.Wait()
	})
	var lines atomic.Int64
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Store(c, true)
			wg.Go(func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadBytes('\n')
					if err != nil {
						return
					}
					reply := answer(lines.Add(1), line)
					if split && len(reply) > 1 {
						c.Write(reply[:len(reply)/2])
						time.Sleep(time.Millisecond) // likely, not certain, to arrive apart; no synchronisation
						reply = reply[len(reply)/2:]
					}
					if reply != nil {
						c.Write(reply)
					}
				}
			})
		}
	})
	return ln.Addr().String()
}

// reversed is the right reply to a line of ASCII.
func reversed(line []byte) []byte {
	out := slices.Clone(bytes.TrimSuffix(line, []byte("\n")))
	slices.Reverse(out)
	return append(out, '\n')
}

func TestRunAcceptsRepliesInPieces(t *testing.T) {
	addr := fakeServerWrites(t, func(_ int64, line []byte) []byte { return reversed(line) }, true)
	for _, mode := range []string{modeClosed, modePipelined} {
		s, err := run(context.Background(), testConfig(addr, mode, 100), progress{})
		if err != nil || s.errors != 0 || s.requests < 100 {
			t.Errorf("%s mode: %v, %d errors %q, %d requests; want 100 requests and no errors", mode, err, s.errors, s.failures, s.requests)
		}
	}
}

func TestRunCatchesWrongReplies(t *testing.T) {
	tests := []struct {
		name   string
		answer func(n int64, line []byte) []byte
		want   string // in the first error's description
	}{
		{"an echo that does not reverse", func(_ int64, line []byte) []byte { return line }, "wrong reply to request 1"},
		{"one byte changed in reply 150", func(n int64, line []byte) []byte {
			r := reversed(line)
			if n == 150 {
				r[3] ^= 1
			}
			return r
		}, "wrong reply to request"},
		{"the first byte missing from reply 100", func(n int64, line []byte) []byte {
			r := reversed(line)
			if n == 100 {
				r = r[1:]
			}
			return r
		}, "wrong reply to request"},
		{"reply 120 sent twice", func(n int64, line []byte) []byte {
			if n == 120 {
				return bytes.Repeat(reversed(line), 2)
			}
			return reversed(line)
		}, "wrong reply to request"},
	}
	for _, tt := range tests {
		for _, mode := range []string{modeClosed, modePipelined} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				addr := fakeServer(t, tt.answer)
				s, err := run(context.Background(), testConfig(addr, mode, 400), progress{})
				if err != nil {
					t.Fatal(err)
				}
				if s.errors == 0 || len(s.failures) == 0 || !strings.Contains(s.failures[0], tt.want) {
					t.Fatalf("errors = %d, failures %q; want errors, the first one saying %q", s.errors, s.failures, tt.want)
				}
				if f, _ := parseSummary(s.String()); f["errors"] != strconv.FormatInt(s.errors, 10) {
					t.Errorf("the summary line says errors=%s, want %d", f["errors"], s.errors)
				}
			})
		}
	}
}

// TestRunEndsWhenRepliesStop checks the bound on a run against a server that
// stops answering: every connection waiting for a reply fails after
// -timeout, and the run ends instead of waiting for ever.
func TestRunEndsWhenRepliesStop(t *testing.T) {
	for _, mode := range []string{modeClosed, modePipelined} {
		t.Run(mode, func(t *testing.T) {
			addr := fakeServer(t, func(n int64, line []byte) []byte {
				if n > 50 {
					return nil // silence
				}
				return reversed(line)
			})
			cfg := testConfig(addr, mode, 0)
			cfg.timeout = 200 * time.Millisecond // it is meant to pass: what is tested is what happens then
			s, err := run(context.Background(), cfg, progress{})
			if err != nil {
				t.Fatal(err)
			}
			if s.errors != int64(cfg.conns) || !strings.Contains(s.failures[0], "no reply to request") {
				t.Errorf("errors = %d, failures %q; want one timeout per connection", s.errors, s.failures)
			}
		})
	}
}

// TestRunStopsOpeningAfterAFailure is Stage 1's case: a server that serves
// one client and never accepts the others. The connections waiting in its
// backlog time out, the rest are not opened, and all count as errors.
func TestRunStopsOpeningAfterAFailure(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept() // one client, then no more accepts
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadBytes('\n')
			if err != nil {
				return
			}
			c.Write(reversed(line))
		}
	}()
	cfg := testConfig(ln.Addr().String(), modeClosed, 100)
	cfg.conns, cfg.ramp = 10, 3
	cfg.timeout = 200 * time.Millisecond // meant to pass, as in TestRunEndsWhenRepliesStop
	s, err := run(context.Background(), cfg, progress{})
	if err != nil {
		t.Fatal(err)
	}
	if s.errors != 9 || s.notOpened == 0 || s.requests == 0 {
		t.Errorf("errors = %d (%d not opened), requests = %d; want 9 errors, some connections not opened, and the first connection measured; failures: %q",
			s.errors, s.notOpened, s.requests, s.failures)
	}
}

// TestCommand runs the built command as a learner would: its exit status,
// its one summary line on stdout, and its usage errors.
func TestCommand(t *testing.T) {
	bin, err := harness.Build(context.Background(), ".", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	loadgen := func(t *testing.T, args ...string) (stdout, stderr string, code int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errOut.String(), code
	}
	t.Run("load", func(t *testing.T) { testCommandLoad(t, loadgen) })
	t.Run("usage", func(t *testing.T) { testCommandUsage(t, loadgen) })
	t.Run("chart", func(t *testing.T) { testCommandChart(t, loadgen) })
	t.Run("serve", func(t *testing.T) { testCommandServe(t, bin, loadgen) })
}

// A loadgenFunc runs the built command with args.
type loadgenFunc func(t *testing.T, args ...string) (stdout, stderr string, code int)

// testCommandLoad loads a right server and an echo server in each mode
// that sends requests.
func testCommandLoad(t *testing.T, loadgen loadgenFunc) {
	good := fakeServer(t, func(_ int64, line []byte) []byte { return reversed(line) })
	echo := fakeServer(t, func(_ int64, line []byte) []byte { return line })
	short := []string{"-conns", "3", "-requests", "200", "-duration", "1m"}
	for _, mode := range []string{modeClosed, modePipelined} {
		stdout, stderr, code := loadgen(t, append(short, "-addr", good, "-mode", mode)...)
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if code != 0 || len(lines) != 1 || !strings.HasPrefix(lines[0], "loadgen label=- mode="+mode+" ") {
			t.Errorf("against a right server in %s mode: exit %d, stdout %q, stderr %q; want status 0 and one summary line", mode, code, stdout, stderr)
		}
		stdout, stderr, code = loadgen(t, append(short, "-addr", echo, "-mode", mode)...)
		if f, ok := parseSummary(stdout); code != 1 || !ok || f["errors"] == "0" || !strings.Contains(stderr, "loadgen: error: conn ") {
			t.Errorf("against an echo server in %s mode: exit %d, stdout %q, stderr %q; want status 1, errors counted and described", mode, code, stdout, stderr)
		}
	}
}

// testCommandUsage gives the command bad arguments.
func testCommandUsage(t *testing.T, loadgen loadgenFunc) {
	for _, args := range [][]string{
		{"-conns", "0"},
		{"-mode", "open"},
		{"-size", "-1"},
		{"-duration", "0s"},
		{"-addr", "8080"},
		{"-label", "two words"},
		{"-chart", "x", "-metric", "mode"},
		{"-chart", "x", "-table", "y"},
		{"-table", "x", "-spread", "y"},
		{"-spread", "x", "-metric", "label"},
		{"-against", "old"},
		{"-serve", "-table", "x"},
		{"-mode", "sideways"},
		{"-mode", "download", "-size", "0"},
		{"extra"},
		{"-no-such-flag"},
	} {
		stdout, stderr, code := loadgen(t, args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "Usage: go run ./tests/cmd/loadgen") {
			t.Errorf("loadgen %s: exit %d, stdout %q, stderr %q; want status 2 and the usage", strings.Join(args, " "), code, stdout, stderr)
		}
	}
}

// testCommandChart turns saved summary lines into a chart, a table and a
// spread.
func testCommandChart(t *testing.T, loadgen loadgenFunc) {
	results := filepath.Join(t.TempDir(), "results.txt")
	os.WriteFile(results, []byte(
		"loadgen label=a mode=closed conns=1 depth=1 size=32 duration=1s requests=10 rps=10 errors=0\n"+
			"something else\n"+
			"loadgen label=b mode=closed conns=1 depth=1 size=32 duration=1s requests=20 rps=20 errors=0\n"), 0o644)
	stdout, stderr, code := loadgen(t, "-chart", results)
	if code != 0 || !strings.Contains(stdout, "xychart-beta") || !strings.Contains(stdout, "bar [10, 20]") {
		t.Errorf("-chart: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	stdout, stderr, code = loadgen(t, "-table", results)
	if code != 0 || !strings.Contains(stdout, "| a | 1 conns | 10 |") || !strings.Contains(stdout, "| b | 1 conns | 20 |") {
		t.Errorf("-table: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	stdout, stderr, code = loadgen(t, "-spread", results, "-against", "a")
	if code != 0 || !strings.Contains(stdout, "| b | 1 conns | 1 | 20 | 20 | 20 | 2 | 2 | 2 |") {
		t.Errorf("-spread: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// testCommandServe starts loadgen -serve as the proxy experiment does, then
// downloads and uploads straight from it with the command, and stops it
// with SIGTERM.
func testCommandServe(t *testing.T, bin string, loadgen loadgenFunc) {
	p, err := harness.Start(bin, harness.Options{Args: []string{"-serve", "-addr", "127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	listening := regexp.MustCompile(`^\[INFO\] Bulk server listening on port (\d+)$`)
	line, err := p.WaitLine(10*time.Second, listening.MatchString)
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + listening.FindStringSubmatch(line)[1]
	for _, mode := range []string{modeDownload, modeUpload} {
		stdout, stderr, code := loadgen(t, "-addr", addr, "-mode", mode, "-conns", "2", "-size", "1000000", "-requests", "3", "-duration", "1m")
		if f, ok := parseSummary(stdout); code != 0 || !ok || f["mode"] != mode || f["errors"] != "0" || f["size"] != "1000000" {
			t.Errorf("-mode %s against loadgen -serve: exit %d, stdout %q, stderr %q; want status 0 and a summary line", mode, code, stdout, stderr)
		}
	}
	p.Signal(syscall.SIGTERM)
	if exit, err := p.WaitExit(10 * time.Second); err != nil || exit.Code != 0 {
		t.Errorf("loadgen -serve after SIGTERM: %+v, %v; want exit status 0", exit, err)
	}
}

package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"workbook/tests/harness"
)

// These tests run the bulk modes for a few transfers of 3 MB: through the
// Stage 4 proxy and the goroutine proxy to the bulk server, and through
// proxies written here that damage the stream on purpose, each in its own
// way. They never look at how fast anything was.

// transferSize is the size of a test transfer: a few blocks of the stream
// and a part of one, so that the last block is cut short.
const transferSize = 3_000_000

// bulkServer starts the bulk server of -serve in this process, on a free
// port, and returns its address.
func bulkServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go serveBulk(ln, harness.Scaled(10*time.Second))
	return ln.Addr().String()
}

// realProxy builds the proxy in dir, starts it on a free port in front of
// upstream, and returns its address and process ID.
func realProxy(t *testing.T, dir, upstream string) (addr string, pid int) {
	t.Helper()
	return startProgram(t, dir, []string{"-quiet", "-upstream", upstream}, "[INFO] Proxy listening on port %d, upstream "+upstream)
}

// bulkConfig returns a configuration for a short bulk run against addr: it
// ends after 4 transfers, with -duration only as a backstop.
func bulkConfig(addr, mode string) config {
	cfg := testConfig(addr, mode, 4)
	cfg.conns, cfg.size = 2, transferSize
	return cfg
}

func TestBulkThroughProxies(t *testing.T) {
	upstream := bulkServer(t)
	for _, tt := range []struct{ name, dir string }{
		{"stage4-proxy", "../../../solutions/stage4-proxy"},
		{"goroutine-proxy", "../../../solutions/experiments/goroutine-proxy"},
		{"no proxy", ""},
	} {
		addr, pid := upstream, 0
		if tt.dir != "" {
			addr, pid = realProxy(t, tt.dir, upstream)
		}
		for _, mode := range []string{modeDownload, modeUpload} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				cfg := bulkConfig(addr, mode)
				cfg.pid = pid
				s, err := run(context.Background(), cfg, progress{})
				if err != nil {
					t.Fatal(err)
				}
				if s.errors != 0 || s.requests < 4 || s.bytes <= 0 {
					t.Fatalf("errors = %d, transfers = %d, bytes = %d; want no errors, 4 transfers and some bytes; failures: %q", s.errors, s.requests, s.bytes, s.failures)
				}
				f, _ := parseSummary(s.String())
				numbers := []string{"bytes", "mb_per_s", "client_cpu_ms_per_gb"}
				if pid != 0 {
					numbers = append(numbers, "cpu_ms_per_gb", "rss_kib")
				}
				for _, k := range numbers {
					if _, err := strconv.ParseFloat(f[k], 64); err != nil {
						t.Errorf("%s=%s, want a number: %s", k, f[k], s.String())
					}
				}
				if f["rps"] != notMeasured || f["cpu_us_per_req"] != notMeasured || f["size"] != strconv.Itoa(transferSize) {
					t.Errorf("summary %s: want no request rate, no CPU time per request, and size=%d", s.String(), transferSize)
				}
			})
		}
	}
}

// A defect is what a broken proxy does wrong to the payload of a bulk
// transfer: the bytes after the request line, in the direction they go.
// Everything else it relays as a proxy should, half-close included.
type defect struct {
	name  string
	modes []string // the bulk modes it applies to
	// pass relays the payload from r, which reads src, to dst, and then
	// ends dst's stream (or not).
	pass func(dst, src *net.TCPConn, r io.Reader)
	want string // what the first failure must match, a regexp
	// timeout: what is caught is a stall, so the run gets a short
	// -timeout; it is meant to pass.
	timeout bool
}

var bothModes = []string{modeDownload, modeUpload}

// defects are the broken proxies. The upload's wants are what the bulk
// server answered, since it is the one that checks an upload's bytes.
var defects = []defect{
	{"one byte changed", bothModes, edited(func(b []byte, off int64) []byte {
		if i := 100_000 - off; i >= 0 && i < int64(len(b)) {
			b[i] ^= 0x20
		}
		return b
	}), `transfer 1: (the bulk server answered "error: )?byte 100000 of 3000000 is`, false},
	{"one byte lost", bothModes, edited(func(b []byte, off int64) []byte {
		if i := 70_000 - off; i >= 0 && i < int64(len(b)) {
			return append(b[:i:i], b[i+1:]...)
		}
		return b
	}), `transfer 1: (the bulk server answered "error: )?byte 70000 of 3000000 is`, false},
	{"the first block twice", bothModes, firstBlockTwice, `transfer 1: (the bulk server answered "error: )?byte 65536 of 3000000 is`, false},
	{"the stream cut short", bothModes, func(dst, src *net.TCPConn, r io.Reader) {
		io.CopyN(dst, r, 1_000_000)
		dst.CloseWrite()
		io.Copy(io.Discard, r) // the rest is lost
	}, `transfer 1: (the bulk server answered "error: )?the stream ended after 1000000 of 3000000 bytes`, false},
	{"a byte too many", bothModes, func(dst, src *net.TCPConn, r io.Reader) {
		io.Copy(dst, r)
		dst.Write([]byte{0})
		dst.CloseWrite()
	}, `transfer 1: (the bulk server answered "error: )?more than the 3000000 bytes`, false},
	{"a stall", bothModes, func(dst, src *net.TCPConn, r io.Reader) {
		io.CopyN(dst, r, 500_000) // then nothing more, and no end
	}, `transfer 1: (no byte within \S+ \(-timeout\) after 500000 of 3000000 bytes|` +
		`could not send after \d+ of 3000000 bytes: .*i/o timeout|no answer within)`, true},
	{"a reset", bothModes, func(dst, src *net.TCPConn, r io.Reader) {
		io.CopyN(dst, r, 500_000)
		src.SetLinger(0)
		dst.SetLinger(0)
		src.Close()
		dst.Close()
	}, `transfer 1: .*(connection reset by peer|broken pipe)`, false},
	{"both closed at the client's end of file", []string{modeUpload}, func(dst, src *net.TCPConn, r io.Reader) {
		io.Copy(dst, r)
		src.Close()
		dst.Close()
	}, `transfer 1: the bulk server answered "", want "ok\\n"`, false},
}

// edited returns a pass that relays the payload through edit, which may
// change each chunk in place or return another; off is the offset of the
// chunk's first byte in the payload.
func edited(edit func(b []byte, off int64) []byte) func(dst, src *net.TCPConn, r io.Reader) {
	return func(dst, src *net.TCPConn, r io.Reader) {
		buf := make([]byte, 32<<10)
		for off := int64(0); ; {
			n, err := r.Read(buf)
			if n > 0 {
				if _, err := dst.Write(edit(buf[:n], off)); err != nil {
					return
				}
				off += int64(n)
			}
			if err != nil {
				dst.CloseWrite()
				return
			}
		}
	}
}

// firstBlockTwice relays the payload with its first block sent again
// right after it: the second copy's header has the wrong block number.
func firstBlockTwice(dst, src *net.TCPConn, r io.Reader) {
	first := make([]byte, blockSize)
	if _, err := io.ReadFull(r, first); err != nil {
		return
	}
	dst.Write(first)
	dst.Write(first)
	io.Copy(dst, r)
	dst.CloseWrite()
}

// brokenProxy starts a proxy in front of upstream that relays both ways,
// except the payload of mode's transfers, which d relays.
func brokenProxy(t *testing.T, upstream, mode string, d defect) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp4", upstream)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, u)
			mu.Unlock()
			go relayPair(c.(*net.TCPConn), u.(*net.TCPConn), mode, d)
		}
	}()
	return ln.Addr().String()
}

// relayPair relays between client and up, with d on the payload.
func relayPair(client, up *net.TCPConn, mode string, d defect) {
	plain := func(dst, src *net.TCPConn) {
		io.Copy(dst, src)
		dst.CloseWrite()
	}
	if mode == modeDownload {
		go plain(up, client) // the request line
		d.pass(client, up, up)
		return
	}
	go plain(client, up) // the answer
	r := bufio.NewReader(client)
	line, err := r.ReadBytes('\n')
	if err != nil {
		return
	}
	up.Write(line)
	d.pass(up, client, r)
}

func TestBulkCatchesWrongStreams(t *testing.T) {
	upstream := bulkServer(t)
	for _, d := range defects {
		for _, mode := range d.modes {
			t.Run(d.name+"/"+mode, func(t *testing.T) {
				cfg := bulkConfig(brokenProxy(t, upstream, mode, d), mode)
				if d.timeout {
					cfg.timeout = 300 * time.Millisecond // meant to pass: see TestRunEndsWhenRepliesStop
				}
				s, err := run(context.Background(), cfg, progress{})
				if err != nil {
					t.Fatal(err)
				}
				if s.errors == 0 || len(s.failures) == 0 || !regexp.MustCompile(d.want).MatchString(s.failures[0]) {
					t.Fatalf("errors = %d, failures %q; want errors, the first one matching %q", s.errors, s.failures, d.want)
				}
			})
		}
	}
}

// TestBulkServerRefusesBadRequests sends the bulk server requests it does
// not know, each of which gets an error line and the end of the
// connection.
func TestBulkServerRefusesBadRequests(t *testing.T) {
	addr := bulkServer(t)
	for _, tt := range []struct{ request, want string }{
		{"hello\n", `error: bad request "hello\n": want "download SIZE SEED" or "upload SIZE SEED"` + "\n"},
		{"download 0 1\n", `error: bad size "0" in the request: want 1 or more` + "\n"},
		{"upload 10 x\n", `error: bad seed "x" in the request` + "\n"},
	} {
		c, err := net.Dial("tcp4", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(harness.Scaled(10 * time.Second)))
		io.WriteString(c, tt.request)
		got, err := io.ReadAll(c)
		c.Close()
		if err != nil || string(got) != tt.want {
			t.Errorf("request %q: got %q, %v; want %q and the end", tt.request, got, err, tt.want)
		}
	}
}

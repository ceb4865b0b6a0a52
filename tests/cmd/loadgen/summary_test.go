package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSummaryLine(t *testing.T) {
	s := summary{
		label: "goroutine", mode: modePipelined, conns: 100, depth: 16, size: 32,
		duration: 10 * time.Second, requests: 1_000_000,
		p50: 87 * time.Microsecond, p99: 1200 * time.Microsecond, max: 5 * time.Millisecond,
		serverCPU: 3 * time.Second, clientCPU: 4 * time.Second,
		rssBefore: 4 << 20, rssLast: 5 << 20,
	}
	want := "loadgen label=goroutine mode=pipelined conns=100 depth=16 size=32 duration=10s requests=1000000 rps=100000 " +
		"p50_us=87 p99_us=1200 max_us=5000 errors=0 cpu_us_per_req=3.00 client_cpu_us_per_req=4.00 " +
		"rss_before_kib=4096 rss_kib=5120 rss_per_conn_b=10485 bytes=- mb_per_s=- cpu_ms_per_gb=- client_cpu_ms_per_gb=-"
	if got := s.String(); got != want {
		t.Errorf("summary line\n got %s\nwant %s", got, want)
	}
	f, ok := parseSummary(want)
	if !ok || f["rps"] != "100000" || len(f) != len(keys) {
		t.Errorf("parseSummary = %v, %v", f, ok)
	}

	// Without -pid and without replies, what was not measured says so.
	empty := summary{mode: modeClosed, conns: 1, depth: 1, size: 1, serverCPU: -1, rssBefore: -1, rssLast: -1}
	f, _ = parseSummary(empty.String())
	for _, k := range []string{"label", "rps", "p50_us", "cpu_us_per_req", "rss_kib", "rss_per_conn_b"} {
		if f[k] != notMeasured {
			t.Errorf("%s=%s, want %s: %s", k, f[k], notMeasured, empty.String())
		}
	}
	// A bulk run: bytes, not requests, are what its figures divide.
	bulk := summary{
		label: "epoll", mode: modeDownload, conns: 4, depth: 1, size: 64 << 20,
		duration: 10 * time.Second, requests: 120, bytes: 8_000_000_000,
		serverCPU: 4 * time.Second, clientCPU: 6 * time.Second, rssBefore: 2 << 20, rssLast: 3 << 20,
	}
	want = "loadgen label=epoll mode=download conns=4 depth=1 size=67108864 duration=10s requests=120 rps=- " +
		"p50_us=- p99_us=- max_us=- errors=0 cpu_us_per_req=- client_cpu_us_per_req=- " +
		"rss_before_kib=2048 rss_kib=3072 rss_per_conn_b=262144 bytes=8000000000 mb_per_s=800 cpu_ms_per_gb=500 client_cpu_ms_per_gb=750"
	if got := bulk.String(); got != want {
		t.Errorf("bulk summary line\n got %s\nwant %s", got, want)
	}
	if _, ok := parseSummary("loadgen: error: conn 1"); ok {
		t.Error("a stderr line parsed as a summary")
	}
}

func TestChart(t *testing.T) {
	log := `loadgen label=stage1 mode=closed conns=1 depth=1 size=32 duration=10s requests=100 rps=10 errors=0
loadgen: error: something
loadgen label=goroutine mode=closed conns=1 depth=1 size=32 duration=10s requests=200 rps=20 errors=0
loadgen label=goroutine mode=pipelined conns=100 depth=16 size=32 duration=10s requests=300 rps=30.5 errors=0
loadgen label=goroutine mode=idle conns=10000 depth=1 size=32 duration=10s requests=10000 rps=- errors=0
`
	var b bytes.Buffer
	if err := chart(&b, strings.NewReader(log), "rps", ""); err != nil {
		t.Fatal(err)
	}
	want := `xychart-beta
    title "Requests per second"
    x-axis ["stage1 1 conns", "goroutine 1 conns", "goroutine 100 conns x16"]
    y-axis "rps"
    bar [10, 20, 30.5]
`
	if b.String() != want {
		t.Errorf("chart:\n%s\nwant:\n%s", b.String(), want)
	}
	if err := chart(&b, strings.NewReader(log), "requests", ""); err == nil {
		t.Error("a chart of a key that is not a metric succeeded")
	}
	// One label: the bars are named by their load alone.
	b.Reset()
	if err := chart(&b, strings.NewReader(log[strings.Index(log, "\n")+1:]), "errors", `My "title"`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `x-axis ["1 conns", "100 conns x16", "10000 idle"]`) || !strings.Contains(b.String(), `title "My 'title'"`) {
		t.Errorf("chart with one label:\n%s", b.String())
	}
	if err := chart(&b, strings.NewReader("nothing here\n"), "rps", ""); err == nil {
		t.Error("a chart of no summary lines succeeded")
	}
}

func TestTable(t *testing.T) {
	log := `loadgen label=goroutine mode=pipelined conns=100 depth=16 size=32 duration=10s requests=300 rps=30 p50_us=5 p99_us=9 max_us=12 errors=0 cpu_us_per_req=1.50 client_cpu_us_per_req=2.25 rss_before_kib=1 rss_kib=2 rss_per_conn_b=10
loadgen: error: something
loadgen label=epoll mode=idle conns=10000 depth=1 size=32 duration=1s requests=10000 rps=- errors=0 rss_kib=4000 rss_per_conn_b=400
`
	var b bytes.Buffer
	if err := table(&b, strings.NewReader(log)); err != nil {
		t.Fatal(err)
	}
	want := `| server | load | requests/s | p50 µs | p99 µs | errors | server CPU µs/req | loadgen CPU µs/req | server VmRSS KiB | VmRSS B/idle conn |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| goroutine | 100 conns x16 | 30 | 5 | 9 | 0 | 1.50 | 2.25 | 2 | - |
| epoll | 10000 idle | - | - | - | 0 | - | - | 4000 | 400 |
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
	if err := table(&b, strings.NewReader("nothing here\n")); err == nil {
		t.Error("a table of no summary lines succeeded")
	}
}

func TestSpread(t *testing.T) {
	line := func(label, mode string, conns int, cpu string) string {
		return fmt.Sprintf("loadgen label=%s mode=%s conns=%d depth=16 size=32 duration=10s "+
			"requests=9 rps=9 errors=0 cpu_us_per_req=%s rss_per_conn_b=99\n", label, mode, conns, cpu)
	}
	// Two rounds at 100 connections and three pipelined, each round old
	// then new; one run that measured no CPU time; a line that is not a
	// summary.
	log := line("old", modeClosed, 100, "10.00") + line("new", modeClosed, 100, "8.00") +
		line("old", modeClosed, 100, "12.00") + line("new", modeClosed, 100, "9.00") +
		"loadgen: error: something\n" +
		line("old", modePipelined, 100, "1.00") + line("new", modePipelined, 100, "0.80") +
		line("old", modePipelined, 100, "2.00") + line("new", modePipelined, 100, "1.80") +
		line("old", modePipelined, 100, "1.50") + line("new", modePipelined, 100, "-")
	var b bytes.Buffer
	if err := spread(&b, strings.NewReader(log), "cpu_us_per_req", "old"); err != nil {
		t.Fatal(err)
	}
	want := `| server | load | runs | lowest | median | highest | ÷ old: lowest | median | highest |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| old | 100 conns | 2 | 10 | 11 | 12 | 1 | 1 | 1 |
| new | 100 conns | 2 | 8 | 8.5 | 9 | 0.75 | 0.78 | 0.8 |
| old | 100 conns x16 | 3 | 1 | 1.5 | 2 | 1 | 1 | 1 |
| new | 100 conns x16 | 2 | 0.8 | 1.3 | 1.8 | 0.8 | 0.85 | 0.9 |
`
	if b.String() != want {
		t.Errorf("spread:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := spread(&b, strings.NewReader(log), "cpu_us_per_req", ""); err != nil || strings.Contains(b.String(), "÷") {
		t.Errorf("spread without -against: %v\n%s\nwant no ratio columns", err, b.String())
	}
	// The memory per connection counts in idle runs only.
	if err := spread(&b, strings.NewReader(log), "rss_per_conn_b", ""); err == nil {
		t.Error("a spread of the memory per connection of busy runs succeeded")
	}
}

func TestLinePool(t *testing.T) {
	for _, size := range []int{1, 32, 100_000} {
		p := newLinePool(rand.New(rand.NewPCG(1, 2)), size)
		if p.len() < 16 || p.len()*(size+1) > 2*poolBytes && p.len() > 16 {
			t.Errorf("size %d: %d lines", size, p.len())
		}
		for i := range p.len() {
			req, want := p.reqs[i], p.wants[i]
			if len(req) != size+1 || req[size] != '\n' {
				t.Fatalf("size %d: request %q is not %d bytes and a newline", size, req, size)
			}
			for _, c := range req[:size] {
				if c < ' ' || c > '~' {
					t.Fatalf("request %q holds a byte that is not printable ASCII", req)
				}
			}
			body := slices.Clone(req[:size])
			slices.Reverse(body)
			if string(want) != string(body)+"\n" {
				t.Fatalf("want %q for request %q", want, req)
			}
		}
	}
}

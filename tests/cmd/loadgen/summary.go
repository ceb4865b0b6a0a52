package main

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A summary is the outcome of a run: what was asked for and what was
// measured. Its line form (String) is the tool's machine-readable output.
type summary struct {
	label    string
	mode     string
	conns    int
	depth    int
	size     int
	duration time.Duration // how long the measurement lasted

	requests      int64 // replies received and checked during the measurement; transfers, in the bulk modes
	bytes         int64 // bulk modes: bytes checked (download) or sent (upload) during the measurement
	p50, p99, max time.Duration
	errors        int64 // wrong replies plus failed or unopened connections

	// What the server's process used, measured only with -pid; negative
	// when not measured.
	serverCPU          time.Duration // during the measurement
	rssBefore, rssLast int64         // bytes: before the first connection, at the end of the measurement
	// clientCPU is what this tool used during the measurement.
	clientCPU time.Duration

	failures  []string // descriptions of the first few errors; not in the line
	notOpened int      // connections not opened because of an earlier error, counted in errors
}

// notMeasured stands for a value that a run did not measure.
const notMeasured = "-"

// keys are the summary line's keys, in order. They are stable: scripts and
// the -chart mode read them.
var keys = []string{
	"label", "mode", "conns", "depth", "size", "duration",
	"requests", "rps", "p50_us", "p99_us", "max_us", "errors",
	"cpu_us_per_req", "client_cpu_us_per_req",
	"rss_before_kib", "rss_kib", "rss_per_conn_b",
	"bytes", "mb_per_s", "cpu_ms_per_gb", "client_cpu_ms_per_gb",
}

// fields returns the summary's values by key, as the line shows them.
func (s *summary) fields() map[string]string {
	f := map[string]string{
		"label":    s.label,
		"mode":     s.mode,
		"conns":    strconv.Itoa(s.conns),
		"depth":    strconv.Itoa(s.depth),
		"size":     strconv.Itoa(s.size),
		"duration": s.duration.Round(time.Millisecond).String(),
		"requests": strconv.FormatInt(s.requests, 10),
		"errors":   strconv.FormatInt(s.errors, 10),
	}
	for _, k := range keys {
		f[k] = cmp.Or(f[k], notMeasured)
	}
	latency := s.requests > 0 && s.mode != modeIdle && !isBulk(s.mode)
	if latency {
		f["rps"] = strconv.FormatFloat(float64(s.requests)/s.duration.Seconds(), 'f', 0, 64)
		f["p50_us"] = micros(s.p50, 0)
		f["p99_us"] = micros(s.p99, 0)
		f["max_us"] = micros(s.max, 0)
	}
	if latency && s.serverCPU >= 0 {
		f["cpu_us_per_req"] = micros(s.serverCPU/time.Duration(s.requests), 2)
	}
	if latency {
		f["client_cpu_us_per_req"] = micros(s.clientCPU/time.Duration(s.requests), 2)
	}
	if isBulk(s.mode) {
		s.bulkFields(f)
	}
	if s.rssBefore >= 0 && s.rssLast >= 0 {
		f["rss_before_kib"] = strconv.FormatInt(s.rssBefore/1024, 10)
		f["rss_kib"] = strconv.FormatInt(s.rssLast/1024, 10)
		f["rss_per_conn_b"] = strconv.FormatInt((s.rssLast-s.rssBefore)/int64(s.conns), 10)
	}
	return f
}

// bulkFields sets the bulk modes' figures in f: the bytes, the rate, and
// the CPU time per gigabyte (10⁹ bytes).
func (s *summary) bulkFields(f map[string]string) {
	f["bytes"] = strconv.FormatInt(s.bytes, 10)
	if s.bytes <= 0 {
		return
	}
	f["mb_per_s"] = strconv.FormatFloat(float64(s.bytes)/1e6/s.duration.Seconds(), 'f', 0, 64)
	perGB := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond)/(float64(s.bytes)/1e9), 'f', 0, 64)
	}
	if s.serverCPU >= 0 {
		f["cpu_ms_per_gb"] = perGB(s.serverCPU)
	}
	f["client_cpu_ms_per_gb"] = perGB(s.clientCPU)
}

// micros formats d in microseconds with the given number of decimals.
func micros(d time.Duration, decimals int) string {
	return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', decimals, 64)
}

// String returns the summary line: "loadgen" and every key=value pair in
// the order of keys.
func (s *summary) String() string {
	f := s.fields()
	var b strings.Builder
	b.WriteString("loadgen")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, f[k])
	}
	return b.String()
}

// parseSummary reads a summary line back into its key=value pairs. ok is
// false when line is not a summary line.
func parseSummary(line string) (fields map[string]string, ok bool) {
	words := strings.Fields(line)
	if len(words) < 2 || words[0] != "loadgen" {
		return nil, false
	}
	fields = map[string]string{}
	for _, w := range words[1:] {
		k, v, found := strings.Cut(w, "=")
		if !found {
			return nil, false
		}
		fields[k] = v
	}
	return fields, true
}

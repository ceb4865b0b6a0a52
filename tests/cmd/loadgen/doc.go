// Command loadgen loads a line-reversing server of the workbook with many
// connections at once, checks every reply, and measures how fast the
// replies come back and, with -pid, what they cost the server in CPU time
// and memory. It is the instrument of the C10K experiment in Stage 3. In
// its bulk modes it loads a proxy instead, with large transfers to and from
// its own bulk server (-serve) behind the proxy, for the comparison of
// Stage 4.
//
// Start a server in the background, then loadgen. From the top of the
// repository (git ignores bin/):
//
//	go build -o bin/ ./solutions/experiments/goroutine-server ./tests/cmd/loadgen
//	bin/goroutine-server -quiet -port 0 &
//	bin/loadgen -addr 127.0.0.1:PORT -conns 100 -duration 10s -pid $! -label goroutine
//
// where PORT is the port the server's listening line shows: -port 0 lets
// the kernel choose a free one. Build the server first, as above, rather
// than starting it with "go run": $! is then the server's own process ID,
// not that of the go command.
//
// # What it does
//
// loadgen opens -conns TCP connections to -addr, one after another, never
// more than -ramp of them at a time waiting for their first reply. A
// connection the server has not accepted yet waits in its listen backlog;
// opening thousands at once would overflow a small backlog, and the
// handshakes the kernel then drops are retried only a second or more later,
// which would spoil every figure. The first error stops the opening: the
// connections not opened are counted as errors.
//
// Each connection sends lines of -size random printable ASCII characters.
// In -mode closed it sends one line, waits for the reply, and sends the next
// (a closed loop, like a user who waits for each answer). In -mode pipelined
// it keeps -depth lines in flight, sending more as replies arrive, so one
// read on the server may hold many lines. In -mode idle it sends one line,
// checks the reply, and then holds the connection open without a word, for
// measuring what an idle client costs.
//
// Every reply is checked byte for byte against the line reversed, followed
// by "\n". A wrong reply, a connection closed or reset by the server, and a
// reply that does not arrive within -timeout are errors; the connection they
// happen on stops there. The first five errors are described on stderr.
//
// The measurement starts once every connection has had its first reply (or
// failed), and lasts -duration, or until -requests replies were measured.
// Then no new request is sent, and the replies still due are checked, each
// within -timeout. A run therefore ends at most -timeout after the
// measurement, however the server misbehaves. Ctrl-C ends the measurement
// early and still prints the summary.
//
// While it runs, a progress line on stderr shows the phase, the replies so
// far and their rate, and the errors: redrawn in place on a terminal, a new
// line every second otherwise.
//
// # Bulk transfers through a proxy
//
// In -mode download and -mode upload, -addr is a proxy (the Stage 4
// program, say) whose upstream is loadgen -serve, the bulk server:
//
//	bin/loadgen -serve -addr 127.0.0.1:0 &    # prints the port it got, say 40123
//	bin/stage4-proxy -quiet -port 0 -upstream 127.0.0.1:40123 &
//	bin/loadgen -addr 127.0.0.1:PORT -mode download -conns 1 -pid $! -label epoll
//
// where PORT is the one the proxy's listening line shows.
//
// -serve listens on -addr, prints "[INFO] Bulk server listening on port N",
// and serves until SIGINT or SIGTERM (exit status 0). Each connection
// carries one transfer of -size bytes (64 MiB unless -size is given), which
// the client asks for with one line, "download SIZE SEED" or "upload SIZE
// SEED". The bytes are a stream whose every byte both ends can compute
// from the seed, a new random one per transfer: 64 KiB blocks of random
// bytes, each starting with its number XOR the seed. In a download
// the bulk server sends the stream and closes; loadgen checks every byte as
// it comes, and that the stream ends, with the proxy's FIN, right after
// the last. In an upload loadgen sends the stream and ends its sending
// (shutdown SHUT_WR); the bulk server checks every byte and the end, then
// answers "ok" or what was wrong first, and loadgen checks the answer. So
// a byte changed, lost, repeated or taken from another transfer, a stream
// cut short or run long, a half-close not passed on, a stall (-timeout)
// and a reset are all errors. Each of the -conns connections makes one
// transfer after another, on a new connection each time; the measurement
// counts the bytes received (download) or sent (upload) while it lasts,
// and a transfer under way when it ends is finished and checked.
//
// # Flags
//
//	-addr host:port  the server (default 127.0.0.1:8080)
//	-conns N         connections to open (default 10)
//	-duration D      how long to measure (default 10s); in idle mode, how long
//	                 to hold the idle connections (0 is allowed)
//	-size N          line length in bytes, without the "\n" (default 32); in the
//	                 bulk modes, bytes per transfer (default 64 MiB there)
//	-mode M          closed, pipelined or idle; download or upload (default closed)
//	-depth N         requests in flight per connection, pipelined mode (default 16)
//	-pid PID         the server's process, for its CPU time and memory
//	-ramp N          most connections opened and not answered yet (default 64)
//	-timeout D       longest wait to connect, to write, or for a reply (default 5s)
//	-requests N      end the measurement after N replies, or transfers (default 0: no limit)
//	-label NAME      names the run in the summary, such as the server's
//	-serve           be the bulk server on -addr, until SIGINT or SIGTERM
//	-chart FILE      print a chart of the summary lines in FILE ("-": stdin), then exit
//	-metric KEY      the summary key the chart shows (default rps)
//	-title TEXT      the chart's title
//	-table FILE      print a Markdown table of the summary lines in FILE ("-": stdin), then exit
//	-spread FILE     print how -metric varied over repeated runs in FILE ("-": stdin), then exit
//	-against LABEL   with -spread, also divide each run by its partner labelled LABEL
//
// # The summary line
//
// At the end loadgen prints exactly one line on stdout, of key=value pairs
// in this order; the keys do not change, and a value that was not measured
// is "-":
//
//	loadgen label=goroutine mode=closed conns=100 depth=1 size=32 duration=10s
//	    requests=... rps=... p50_us=... p99_us=... max_us=... errors=0
//	    cpu_us_per_req=... client_cpu_us_per_req=...
//	    rss_before_kib=... rss_kib=... rss_per_conn_b=...
//	    bytes=... mb_per_s=... cpu_ms_per_gb=... client_cpu_ms_per_gb=...
//
// (one line, wrapped here). The keys:
//
//   - label, mode, conns, depth, size: what was asked for (depth is 1
//     except in pipelined mode).
//   - duration: how long the measurement actually lasted.
//   - requests: replies received and checked during the measurement; in
//     idle mode, the one request of each connection; in the bulk modes,
//     the transfers finished.
//   - rps: requests divided by duration. Like the latencies and the CPU
//     time per request, not measured in the bulk modes.
//   - p50_us, p99_us, max_us: the median, 99th percentile and longest time,
//     in microseconds, from writing a request to having its whole reply.
//     Percentiles are accurate to 1%; max is exact.
//   - errors: wrong replies, failed connections and connections not opened.
//   - cpu_us_per_req: the server's CPU time (user plus system, all threads,
//     from utime and stime in /proc/PID/stat) during the measurement,
//     divided by requests. Needs -pid.
//   - client_cpu_us_per_req: the same for loadgen itself (getrusage(2)).
//   - rss_before_kib, rss_kib: the server's resident memory (VmRSS in
//     /proc/PID/status) before the first connection and at the end of the
//     measurement, while the connections are still open. Needs -pid.
//   - rss_per_conn_b: (rss_kib - rss_before_kib) / conns, in bytes. In idle
//     mode this is what an idle client costs the server. It can be
//     negative when the server gave memory back to the kernel during the
//     run: measure memory on a freshly started server.
//   - bytes: in the bulk modes, the bytes checked (download) or sent
//     (upload) during the measurement. An upload's bytes count when the
//     kernel takes them; the bulk server's answer says later whether they
//     all arrived.
//   - mb_per_s: bytes divided by duration, in megabytes (10⁶ bytes) per
//     second.
//   - cpu_ms_per_gb, client_cpu_ms_per_gb: the server's CPU time (needs
//     -pid) and loadgen's, in milliseconds per gigabyte (10⁹ bytes).
//
// The kernel counts CPU time in clock ticks, whose rate loadgen reads from
// the auxiliary vector (AT_CLKTCK, what sysconf(_SC_CLK_TCK) returns; 100
// per second on Linux). A tick is 10 ms, so cpu_us_per_req is meaningful
// only over runs of many thousand requests.
//
// The exit status is 0 when every reply was right, 1 when there was an
// error (or the run could not start, for example because -pid names no
// process), and 2 for bad flags.
//
// # What the numbers do not say
//
//   - Server and loadgen share the machine and talk over loopback: no
//     network card, no wire, no latency but the kernel's. On a 2-core
//     machine loadgen's own CPU time (client_cpu_us_per_req) competes with
//     the server's, so rps is a property of the pair, not of the server.
//     Compare servers by cpu_us_per_req rather than rps, and compare only
//     runs made on the same machine with the same flags.
//   - A closed loop sends the next request only when the last reply came:
//     a slow server is sent less work, so its latencies look better than
//     what clients arriving at a fixed rate would see.
//   - Latencies include loadgen's own scheduling: a reply that has arrived
//     is timed when loadgen's goroutine gets to run.
//   - VmRSS counts memory the server touched and has not returned to the
//     kernel: a garbage-collected server may hold freed memory for a while.
//     Resident memory is not allocated memory: pages never touched are not
//     counted.
//   - An idle connection is not watched while it idles: a server that
//     closes it then is not noticed.
//   - In the bulk modes, the two ends make and check every byte, which on
//     a 2-core machine can cost as much CPU as the proxy between them:
//     mb_per_s may be theirs, not the proxy's. Compare proxies by
//     cpu_ms_per_gb.
//
// # Charts and tables
//
// With -chart, loadgen reads summary lines (other lines are skipped, so a
// saved log will do) and prints a mermaid xychart-beta with one bar per
// run, for pasting into Markdown:
//
//	bin/loadgen -addr 127.0.0.1:PORT -label goroutine -conns 100 -pid $! | tee -a results.txt
//	bin/loadgen -chart results.txt -metric cpu_us_per_req
//
// The bars are named after what differs between the runs: the label, the
// number of connections and the mode.
//
// With -table, it reads summary lines the same way and prints them as a
// Markdown table, one row per run, named by its label and its load, with
// the figures worth comparing side by side:
//
//	bin/loadgen -table results.txt
//
// With -spread, it reads summary lines the same way and prints a Markdown
// table of how -metric varied over runs repeated with the same label and
// load: the number of runs, the lowest, the median and the highest. With
// -against LABEL each row also shows its runs divided by those labelled
// LABEL under the same load, paired in order (first with first), lowest,
// median and highest. Runs made in turns pair with their neighbours in
// time, so the ratio cancels much of what other programs do to both:
//
//	bin/loadgen -spread results.txt -metric cpu_us_per_req -against epoll
//
// go run ./tests/cmd/c10k runs the whole experiment of Stage 3's lesson
// this way, and prints the table and charts (or, with -rounds, the
// spreads) at the end; go run ./tests/cmd/proxybench does the same for
// Stage 4's.
package main

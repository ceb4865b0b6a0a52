package milestones

import "fmt"

// The Steps of stage4-proxy/README.md.
const (
	s4Addr = 1 + iota
	s4Pair
	s4Connect
	s4Connected
	s4Relay
	s4Pressure
	s4Close
	s4HalfClose
)

// s4Epoll are the Steps in which the Stage 4 lesson builds its epoll
// interest list, for expectWatched and expectIdle: the poller and the
// listening socket are given, a pair's two sockets are watched in Step 2,
// closed in Step 7, and watched for EPOLLOUT while bytes wait in Step 6.
// A spin's failure speaks of the proxy's sockets.
var s4Epoll = epollSteps{create: s4Pair, watch: s4Pair, accept: s4Pair, close: s4Close, pending: s4Pressure,
	spin: spinWords{program: "the proxy", gone: s4Gone, writers: s4Writers}}

// s4Gone is the hint for a proxy that spins while it watches the sockets
// of pairs that have ended.
func s4Gone(watched, open int) string {
	return fmt.Sprintf("The proxy watches %d sockets besides the listening one, where its open pairs have %d. "+
		"A socket whose peer has gone stays readable (end of file) for as long as it is watched: "+
		"closePair takes both of a pair's sockets out of epoll (EPOLL_CTL_DEL), then closes them.", watched, open)
}

// s4Writers is the hint for a proxy that spins while it watches sockets
// for EPOLLOUT with nothing waiting for them.
func s4Writers(writers, waiting int) string {
	watched := fmt.Sprintf("The proxy watches %d of its sockets for EPOLLOUT, with no bytes waiting for any of them. ", writers)
	if waiting > 0 {
		watched = fmt.Sprintf("The proxy watches %d of its sockets for EPOLLOUT, and bytes wait for only %d of them. ", writers, waiting)
	}
	return watched + "A socket almost always has room to write, so EPOLLOUT is ready at once, every time: " +
		"ask for it only while bytes wait for that side (in.pending), and stop once they are written (interest)."
}

// The hanging upstream of the lesson's "Try it by hand", for repro
// commands: it listens with a backlog of 0 and never accepts, and one nc
// fills its queue.
const (
	hangingUpstream = `python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",3000)); s.listen(0); time.sleep(3600)'`
	fillQueue       = "nc 127.0.0.1 3000   # fills its queue: from now on connecting to port 3000 hangs"
)

var stage4 = &Stage{
	Number: 4,
	Dir:    "stage4-proxy",
	Title:  "a TCP proxy on the event loop",
	Steps: []string{
		s4Addr - 1:      "Where the upstream is",
		s4Pair - 1:      "A pair for every client",
		s4Connect - 1:   "Connect without waiting",
		s4Connected - 1: "Connected, or not",
		s4Relay - 1:     "Relay the bytes",
		s4Pressure - 1:  "Back-pressure both ways",
		s4Close - 1:     "Close a pair",
		s4HalfClose - 1: "Half-close",
	},
	Checks: []*Check{
		{
			ID: "M1", Kind: Milestone, Title: "the proxy is up, and a client's bytes reach the upstream", Step: s4Relay,
			Hint: "On EPOLLIN, relay reads once from the sender into s.buf and writes those bytes, unchanged, " +
				"to the other side of the pair.",
			Repro: []string{"nc -l 127.0.0.1 3000   # the upstream: prints what arrives", "{run}", "nc 127.0.0.1 8080   # type a line: it reaches the upstream"},
			Run:   s4BytesReachUpstream,
		},
		{
			ID: "M2", Kind: Milestone, Title: "both ways, for many clients at once", Step: s4Pressure,
			Hint: "Bytes that the receiver cannot take at once wait in the flow's pending buffer: " +
				"ask for EPOLLOUT on the receiver while they wait, write them in drain when it comes, " +
				"and meanwhile ask for no EPOLLIN on the sender.",
			Repro: []string{
				"mkdir -p bin/www && head -c 100000000 /dev/urandom > bin/www/big.bin && python3 -m http.server 3000 --bind 127.0.0.1 -d bin/www",
				"{run}",
				"curl -s --limit-rate 5M http://127.0.0.1:8080/big.bin -o bin/copy.bin; cmp bin/www/big.bin bin/copy.bin",
			},
			Run: s4BothWays,
		},
		{
			ID: "M3", Kind: Milestone, Title: "a pair ends, the proxy goes on", Step: s4HalfClose,
			Hint: "End of file from one side is passed on: once the bytes before it are delivered, " +
				"shutdown(SHUT_WR) the other side, and keep relaying the other direction until it ends too.",
			Repro: []string{
				"{run}   # with nothing on port 3000 yet",
				"nc 127.0.0.1 8080   # refused: the [WARN] line",
				"python3 -m http.server 3000 --bind 127.0.0.1",
				"printf 'GET /go.work HTTP/1.0\\r\\n\\r\\n' | nc -N 127.0.0.1 8080",
			},
			Run: s4Endings,
		},
		{
			ID: "half-close", Kind: Challenge, Title: "half-close both ways", Step: s4HalfClose,
			Hint: "End of file ends one direction only: shutdown(SHUT_WR) the other side once every byte before it is delivered, " +
				"keep relaying the other direction, and stop asking for EPOLLIN on a side whose end of file you have read.",
			Repro: []string{"go run ./stage3-epoll -port 3000", "{run}", "printf 'no newline' | nc -N 127.0.0.1 8080   # prints enilwen on"},
			Run:   s4HalfCloses,
		},
		{
			ID: "download", Kind: Challenge, Title: "a 100 MB download to a client that pauses", Step: s4Pressure,
			Hint: "While the client's pending bytes wait, ask for no EPOLLIN on the upstream: " +
				"its bytes then wait in the kernel, and TCP slows the upstream down, instead of the proxy's memory filling up.",
			Repro: []string{
				"mkdir -p bin/www && head -c 100000000 /dev/urandom > bin/www/big.bin && python3 -m http.server 3000 --bind 127.0.0.1 -d bin/www",
				"{run} -quiet",
				"curl -s --limit-rate 5M http://127.0.0.1:8080/big.bin -o bin/copy.bin; cmp bin/www/big.bin bin/copy.bin",
				"ss -ltnp 'sport = :8080'   # the proxy's pid: the pid=N at the end of its line",
				"grep VmRSS /proc/<the proxy's pid>/status   # meanwhile, a few times",
			},
			Run: s4Download,
		},
		{
			ID: "upload", Kind: Challenge, Title: "a 100 MB upload to an upstream that pauses", Step: s4Pressure,
			Hint: "Back-pressure works both ways: while bytes wait for the upstream, ask for no EPOLLIN on the client.",
			Repro: []string{
				"nc -l 127.0.0.1 3000 | (sleep 20; wc -c)   # an upstream that reads only after 20 s",
				"{run} -quiet",
				"head -c 100000000 /dev/zero | nc -N 127.0.0.1 8080",
				"ss -ltnp 'sport = :8080'   # the proxy's pid: the pid=N at the end of its line",
				"grep VmRSS /proc/<the proxy's pid>/status   # meanwhile, a few times",
			},
			Run: s4Upload,
		},
		{
			ID: "hanging-connect", Kind: Challenge, Title: "an upstream connect that hangs", Step: s4Connect,
			Hint: "A connect(2) on a blocking socket waits for the handshake, and the whole loop waits with it. " +
				"Open the upstream socket with SOCK_NONBLOCK: connect then returns EINPROGRESS at once, and EPOLLOUT says when it is done.",
			Repro: []string{hangingUpstream, fillQueue, "{run}", "nc 127.0.0.1 8080   # two of these: both are greeted at once"},
			Run:   s4HangingConnect,
		},
		{
			ID: "refused", Kind: Challenge, Title: "an upstream that refuses", Step: s4Connected,
			Hint:  "When SO_ERROR says the connect failed, print the [WARN] line, close both of the pair's sockets, and print nothing else for that client.",
			Repro: []string{"{run}   # with nothing on port 3000", "nc 127.0.0.1 8080   # the [WARN] line, and nc ends"},
			Run:   s4Refused,
		},
		{
			ID: "resets", Kind: Challenge, Title: "resets from each side", Step: s4Close,
			Hint: "A reset on either side ends the pair: take both sockets out of epoll, close both, " +
				"and skip an event about the pair that was already waiting in the same round.",
			Repro: []string{
				"mkdir -p bin/www && head -c 100000000 /dev/urandom > bin/www/big.bin && python3 -m http.server 3000 --bind 127.0.0.1 -d bin/www",
				"{run}",
				"curl -s http://127.0.0.1:8080/big.bin > /dev/null & sleep 0.1; kill -9 $!",
			},
			Run: s4Resets,
		},
		{
			ID: "binary", Kind: Challenge, Title: "binary data, every byte value", Step: s4Relay,
			Hint:  "A proxy relays bytes, not text: write exactly the n bytes that read returned, whatever their values, zero included.",
			Repro: []string{"nc -l 127.0.0.1 3000 | od -c | tail", "{run}", "head -c 100000 /dev/urandom | nc -N 127.0.0.1 8080"},
			Run:   s4Binary,
		},
		{
			ID: "thousand", Kind: Challenge, Title: "1,000 pairs at once", Step: s4Pair,
			Hint: "Keep pairs in a table that grows with the descriptor numbers (no fixed maximum): each pair takes two.",
			Repro: []string{
				"go run ./stage3-epoll -port 3000 -quiet",
				"{run} -quiet",
				"for i in $(seq 1000); do (echo hello $i; sleep 5) | nc 127.0.0.1 8080 & done > /dev/null; wait",
			},
			Run: s4Thousand,
		},
		{
			ID: "fd-leak", Kind: Challenge, Title: "no descriptor leaks after 2,000 pairs", Step: s4Close,
			Hint: "Every way a pair can end (either side closes or resets, the upstream refuses) must end in closePair: " +
				"both sockets out of epoll, then both closed.",
			Repro: []string{
				"go run ./stage3-epoll -port 3000 -quiet",
				"{run} -quiet",
				"for i in $(seq 2000); do echo hi | nc -N 127.0.0.1 8080 > /dev/null; done",
				"ss -ltnp 'sport = :8080'   # the proxy's pid: the pid=N at the end of its line",
				"ls -l /proc/<the proxy's pid>/fd | grep -c socket   # 1: the listening socket",
			},
			Run: s4NoLeaks,
		},
		{
			ID: "max-clients", Kind: Challenge, Title: "clients past -max-clients are refused", Step: s4Pair,
			Hint: "-max-clients counts pairs: count one more in addPair and one less in closePair, " +
				"so that a pair that ends makes room for the next client.",
			Repro: []string{
				"go run ./stage3-epoll -port 3000",
				"{run} -max-clients 2",
				"nc 127.0.0.1 8080",
				"nc 127.0.0.1 8080",
				"nc 127.0.0.1 8080   # the third is refused",
			},
			Run: s4MaxClients,
		},
		{
			ID: "emfile", Kind: Challenge, Title: "running out of file descriptors", Step: s4Pair,
			Hint: "A pair needs two descriptors. When socket(2) fails for the upstream (EMFILE), close the client that was just accepted " +
				"and print one [WARN] line: it is out of the queue, so nothing stays ready for it.",
			Repro: []string{
				"go run ./stage3-epoll -port 3000",
				"{run}",
				"ss -ltnp 'sport = :8080'   # the proxy's pid: the pid=N at the end of its line",
				"prlimit --pid <the proxy's pid> --nofile=32:32",
				"for i in $(seq 40); do sleep 60 | nc 127.0.0.1 8080 & done",
			},
			Run: s4OutOfDescriptors,
		},
		{
			ID: "signals", Kind: Challenge, Title: "SIGTERM with pairs open", Step: s4Connect,
			Hint: "A proxy blocked in a connect(2) does not notice the signal: open the upstream socket with SOCK_NONBLOCK, " +
				"so that the loop is back in EpollWait, where the stop signal wakes it.",
			Repro: []string{
				hangingUpstream, fillQueue, "{run}", "nc 127.0.0.1 8080",
				"ss -ltnp 'sport = :8080'   # the proxy's pid: the pid=N at the end of its line",
				"kill -TERM <the proxy's pid>",
			},
			Run: s4Signals,
		},
		{
			ID: "bad-upstream", Kind: Challenge, Title: "bad -upstream values", Step: s4Addr,
			Hint:  "-upstream takes an IPv4 address and a port from 1 to 65535, such as 127.0.0.1:3000; anything else is a usage error (exit status 2).",
			Repro: []string{"{run} -upstream localhost:3000; echo $?"},
			Run:   s4BadUpstream,
		},
	},
}

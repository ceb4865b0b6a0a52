package milestones

import "fmt"

// The Steps of stage3-epoll/README.md.
const (
	s3Create = 1 + iota
	s3Watch
	s3Wait
	s3Dispatch
	s3Accept
	s3Serve
	s3Nonblock
	s3Pending
	s3Pause
	s3AcceptAll
	s3Refuse
	s3Stop
)

// s3Epoll are the Steps in which the Stage 3 lesson builds its epoll
// interest list, for expectWatched, and the words of a spin's failure.
var s3Epoll = epollSteps{create: s3Create, watch: s3Watch, accept: s3Accept, close: s3Serve, pending: s3Pending,
	spin: spinWords{program: "the server", gone: s3Gone, writers: s3Writers}}

// s3Gone is the hint for a server that spins while it watches the
// sockets of clients that have gone.
func s3Gone(watched, connected int) string {
	still := fmt.Sprintf("only %d clients are", connected)
	if connected == 1 {
		still = "only 1 client is"
	}
	return fmt.Sprintf("The server watches %d client sockets, and %s still connected. "+
		"A client that has gone stays readable (end of file) for as long as its socket is watched: "+
		"take it out of epoll with EPOLL_CTL_DEL, then close it.", watched, still)
}

// s3Writers is the hint for a server that spins while it watches clients
// for EPOLLOUT with every reply written.
func s3Writers(writers, _ int) string {
	return fmt.Sprintf("Every reply has been written, and the server still watches %d of its clients for EPOLLOUT. "+
		"A socket almost always has room to write, so EPOLLOUT is ready at once, every time: "+
		"ask for it only while a client has replies waiting, and stop once they are written.", writers)
}

var stage3 = &Stage{
	Number: 3,
	Dir:    "stage3-epoll",
	Title:  "an epoll server for many clients",
	Steps: []string{
		s3Create - 1:    "Create the epoll instance",
		s3Watch - 1:     "Watch the listening socket",
		s3Wait - 1:      "Wait for events",
		s3Dispatch - 1:  "Tell the listener from the clients",
		s3Accept - 1:    "Accept clients",
		s3Serve - 1:     "Read, answer and say goodbye",
		s3Nonblock - 1:  "Make the sockets non-blocking",
		s3Pending - 1:   "Keep what a client cannot take yet",
		s3Pause - 1:     "Pause a client that does not read",
		s3AcceptAll - 1: "Accept every waiting client",
		s3Refuse - 1:    "Refuse the clients you cannot serve",
		s3Stop - 1:      "Stop cleanly on a signal",
	},
	Checks: []*Check{
		{
			ID: "M1", Kind: Milestone, Title: "the event loop is up", Step: s3Wait,
			Hint:  "After the listening line, the loop prints [DEBUG] Epoll wait and flushes the log, then sleeps in EpollWait until something is ready.",
			Repro: []string{"{run}"},
			Run:   s3LoopUp,
		},
		{
			ID: "M2", Kind: Milestone, Title: "two clients at once, then ten", Step: s3Serve,
			Hint: "On an event for a client, read once, give what arrived to that client's own lineBuffer, " +
				"and answer every complete line it holds; then go back to EpollWait.",
			Repro: []string{"{run}", "nc 127.0.0.1 8080   # client 1: type a line", "nc 127.0.0.1 8080   # client 2, at the same time: type a line"},
			Run:   s3TwoThenTen,
		},
		{
			ID: "M3", Kind: Milestone, Title: "a client leaves, the server goes on", Step: s3Serve,
			Hint: "When read(2) returns 0 (end of file) or an error, that one client has gone: " +
				"take its socket out of epoll (EPOLL_CTL_DEL), close it, forget it, print the disconnect line, " +
				"and keep serving the others.",
			Repro: []string{"{run}", "nc 127.0.0.1 8080   # then press Ctrl-C", "nc 127.0.0.1 8080   # type a line: still answered"},
			Run:   s3ClientLeaves,
		},
		{
			ID: "thousand", Kind: Challenge, Title: "1,000 clients at once", Step: s3AcceptAll,
			Hint:  "Keep clients in a table that grows with the descriptor numbers (no fixed maximum), and on a listener event accept until EAGAIN.",
			Repro: []string{"{run} -quiet", "for i in $(seq 1000); do (echo hello $i; sleep 5) | nc 127.0.0.1 8080 & done > /dev/null; wait"},
			Run:   s3Thousand,
		},
		{
			ID: "stalled", Kind: Challenge, Title: "a client that never reads does not stall the others", Step: s3Nonblock,
			Hint: "A write(2) to a client that does not read blocks once its buffers are full, and a blocked loop serves nobody. " +
				"Make every socket non-blocking (Step 7) and keep what write did not take for the next EPOLLOUT (Step 8).",
			Repro: []string{
				"{run}",
				"head -c 50000000 /dev/zero | tr '\\0' x | fold -w 1000 | nc -N 127.0.0.1 8080 | (sleep 30; wc -c)",
				"nc 127.0.0.1 8080   # meanwhile: type lines here, the replies come at once",
			},
			Run: s3Stalled,
		},
		{
			ID: "memory", Kind: Challenge, Title: "memory stays bounded for a client that never reads", Step: s3Pause,
			Hint: "While a client's pending replies are over the limit, stop asking epoll for EPOLLIN on its socket, " +
				"and ask again once they drain. Its sends then wait in TCP, not in your memory.",
			Repro: []string{
				"{run}",
				"head -c 50000000 /dev/zero | tr '\\0' x | fold -w 1000 | nc -N 127.0.0.1 8080 | (sleep 30; wc -c)",
				"ss -ltnp 'sport = :8080'   # the server's pid: the pid=N at the end of its line",
				"grep VmRSS /proc/<the server's pid>/status   # meanwhile, a few times",
			},
			Run: s3Memory,
		},
		{
			ID: "long-line", Kind: Challenge, Title: "a line over the -max-line limit", Step: s3Serve,
			Hint: "After each read, if lines.tooLong() the client is sending a line over the limit: " +
				"print a [WARN] line and drop that client (the disconnect line follows), and only that client.",
			Repro: []string{"{run} -max-line 16", "printf '0123456789abcdefg\\n' | nc 127.0.0.1 8080"},
			Run:   s3LongLine,
		},
		{
			ID: "reset", Kind: Challenge, Title: "a client that resets the connection mid-line", Step: s3Serve,
			Hint: "A read error such as ECONNRESET means that client has gone: " +
				"drop it as at end of file, without answering its unfinished line, and keep serving the others.",
			Repro: []string{"{run}", "nc 127.0.0.1 8080   # type a few letters, no Enter, then press Ctrl-C"},
			Run:   s3Reset,
		},
		{
			ID: "half-close", Kind: Challenge, Title: "a half-close with replies still pending", Step: s3Pending,
			Hint: "End of file means the client has stopped sending, not that it has stopped reading: " +
				"answer the unfinished line, and close only once every pending reply has been written.",
			Repro: []string{"{run}", "(seq 100000; printf partial) | nc -N 127.0.0.1 8080 | tail -c 30"},
			Run:   s3HalfClose,
		},
		{
			ID: "fd-leak", Kind: Challenge, Title: "no descriptor leaks after 2,000 clients", Step: s3Serve,
			Hint: "Every way a client can leave (end of file, a reset, an error on write, a line too long) must end in the same place: EPOLL_CTL_DEL, then close(2).",
			Repro: []string{
				"{run} -quiet",
				"for i in $(seq 2000); do echo hi | nc -N 127.0.0.1 8080 > /dev/null; done",
				"ss -ltnp 'sport = :8080'   # the server's pid: the pid=N at the end of its line",
				"ls -l /proc/<the server's pid>/fd | grep -c socket   # 1: the listening socket",
			},
			Run: s3NoLeaks,
		},
		{
			ID: "max-clients", Kind: Challenge, Title: "clients past -max-clients are refused", Step: s3Refuse,
			Hint: "Past the limit, still accept the client (so the listening socket stops being ready), " +
				"then close it at once and print one [WARN] line; the clients already there go on being served.",
			Repro: []string{
				"{run} -max-clients 2",
				"nc 127.0.0.1 8080",
				"nc 127.0.0.1 8080",
				"nc 127.0.0.1 8080   # the third is refused: type a line, and this nc ends",
				"ss -ltnp 'sport = :8080'   # the server's pid: the pid=N at the end of its line",
				"top -p <the server's pid>   # and the server stays near 0% CPU",
			},
			Run: s3MaxClients,
		},
		{
			ID: "emfile", Kind: Challenge, Title: "running out of file descriptors", Step: s3Refuse,
			Hint: "accept(2) fails with EMFILE while the client still waits in the queue, so the listening socket stays ready. " +
				"Keep a spare descriptor: close it, accept the client and close it at once, print one [WARN] line, " +
				"and open the spare again.",
			Repro: []string{
				"{run}",
				"ss -ltnp 'sport = :8080'   # the server's pid: the pid=N at the end of its line",
				"prlimit --pid <the server's pid> --nofile=32:32",
				"for i in $(seq 40); do sleep 60 | nc 127.0.0.1 8080 & done",
			},
			Run: s3OutOfDescriptors,
		},
		{
			ID: "signals", Kind: Challenge, Title: "SIGTERM and SIGINT stop it cleanly", Step: s3Stop,
			Hint: "signal.Notify hands the signal to a channel; " +
				"a goroutine that receives it writes to an eventfd in the interest list, which wakes EpollWait; " +
				"the loop then prints the shutting-down line and run returns nil (exit status 0).",
			Repro: []string{
				"{run}   # then press Ctrl-C",
				"ss -ltnp 'sport = :8080'   # or find the server's pid: the pid=N at the end of its line",
				"kill -TERM <the server's pid>",
			},
			Run: s3Signals,
		},
		{
			ID: "quiet", Kind: Challenge, Title: "-quiet prints only what matters", Step: s3Wait,
			Hint: "With -quiet, leave out [DEBUG] and the lines about each client and each line: " +
				"print those with s.log.detail and s.log.message, " +
				"and only the listening, [WARN] and shutting-down lines with s.log.printf.",
			Repro: []string{"{run} -quiet -max-line 16", "nc 127.0.0.1 8080"},
			Run:   s3Quiet,
		},
	},
}

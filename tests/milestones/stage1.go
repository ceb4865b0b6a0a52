package milestones

// The Steps of stage1-server/README.md.
const (
	s1Socket = 1 + iota
	s1Bind
	s1Accept
	s1Answer
	s1Leave
)

var stage1 = &Stage{
	Number: 1,
	Dir:    "stage1-server",
	Title:  "a blocking TCP server",
	Steps: []string{
		s1Socket - 1: "Create a socket",
		s1Bind - 1:   "Bind and listen",
		s1Accept - 1: "Accept a client",
		s1Answer - 1: "Read and answer lines",
		s1Leave - 1:  "Notice the client leaving",
	},
	Checks: []*Check{
		{
			ID: "M1", Kind: Milestone, Title: "listens and accepts a client", Step: s1Accept,
			Hint:  "The server prints its listening line once listen(2) has succeeded, then blocks in accept(2) and prints the connected line when a client arrives.",
			Repro: []string{"{run}", "nc 127.0.0.1 8080"},
			Run:   s1ListensAndAccepts,
		},
		{
			ID: "M2", Kind: Milestone, Title: "reverses lines", Step: s1Answer,
			Hint: "The given serve reads with readSome and sends each reply with writeAll: " +
				"readSome must return how many bytes its read(2) put in buf, and writeAll must send all of b, however many write(2) calls that takes.",
			Repro: []string{"{run}", "printf 'hello\\n' | nc -N 127.0.0.1 8080"},
			Run:   s1Reverses,
		},
		{
			ID: "M3", Kind: Milestone, Title: "ends when the client leaves", Step: s1Leave,
			Hint: "read(2) returning 0 means the client closed the connection: " +
				"return from serve; run then prints the disconnect line and returns, and main exits with status 1.",
			Repro: []string{"{run}", "printf 'abc\\n' | nc -N 127.0.0.1 8080"},
			Run:   s1EndsWhenClientLeaves,
		},
		{
			ID: "split", Kind: Challenge, Title: "lines split across reads and merged in one", Step: s1Answer,
			Hint:  "One read(2) is not one message: it may return half a line, or several. Answer only complete lines, each as soon as it is complete.",
			Repro: []string{"{run}", "(printf 'hel'; sleep 1; printf 'lo\\none\\ntwo\\n') | nc -N 127.0.0.1 8080"},
			Run:   s1SplitAndMerged,
		},
		{
			ID: "crlf", Kind: Challenge, Title: "\\r\\n terminators", Step: s1Answer,
			Hint:  "A \\r right before the \\n belongs to the terminator: reverse the text before it and send back the same \\r\\n.",
			Repro: []string{"{run}", "printf 'abc\\r\\n' | nc -N 127.0.0.1 8080 | od -c"},
			Run:   s1CRLF,
		},
		{
			ID: "utf8", Kind: Challenge, Title: "UTF-8 text", Step: s1Answer,
			Hint:  "Reverse by character (rune), not by byte, so that é and 日 survive the reversal.",
			Repro: []string{"{run}", "printf 'h\\xc3\\xa9llo\\n' | nc -N 127.0.0.1 8080"},
			Run:   s1UTF8,
		},
		{
			ID: "binary", Kind: Challenge, Title: "binary bytes, escaped in the log", Step: s1Answer,
			Hint:  "Any byte may appear in a line, NUL included; log a line through printable() so control bytes never reach the terminal raw.",
			Repro: []string{"{run}", "printf 'a\\000b\\033[2Jc\\377\\n' | nc -N 127.0.0.1 8080 | od -c"},
			Run:   s1Binary,
		},
		{
			ID: "eof-partial", Kind: Challenge, Title: "a partial line at end of file", Step: s1Leave,
			Hint:  "At end of file, answer what is left in lines.rest() (reversed, with no terminator) before closing.",
			Repro: []string{"{run}", "printf 'abc\\ndef' | nc -N 127.0.0.1 8080"},
			Run:   s1PartialAtEOF,
		},
		{
			ID: "long-line", Kind: Challenge, Title: "a line over the -max-line limit", Step: s1Answer,
			Hint: "After each read, if lines.tooLong() the client is sending a line over the limit: " +
				"print a [WARN] line and drop the client instead of buffering for ever.",
			Repro: []string{"{run} -max-line 16", "printf '0123456789abcdef\\n0123456789abcdefg\\n' | nc -N 127.0.0.1 8080"},
			Run:   s1LongLine,
		},
		{
			ID: "pipelined", Kind: Challenge, Title: "1,000 lines sent without waiting", Step: s1Answer,
			Hint:  "Keep reading while lines are queued: answer every complete line a read delivers, not just the first.",
			Repro: []string{"{run}", "seq 1000 | nc -N 127.0.0.1 8080 | tail -n 3"},
			Run:   s1Pipelined,
		},
		{
			ID: "reset", Kind: Challenge, Title: "a client that resets the connection", Step: s1Leave,
			Hint:  "A read error such as ECONNRESET also means the client has gone: print the disconnect line, not an [ERROR], and exit with status 1.",
			Repro: []string{"{run}", "bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080; printf \"abc\\n\" >&3; sleep 1'   # exits without reading the reply: a reset"},
			Run:   s1Reset,
		},
		{
			ID: "port-in-use", Kind: Challenge, Title: "a port already in use", Step: s1Bind,
			Hint: "When bind(2) fails, return the error (naming the call and the address) without printing anything to stdout; " +
				"main prints it as [ERROR] and exits with status 1.",
			Repro: []string{"nc -l 127.0.0.1 8080", "{run}"},
			Run:   s1PortInUse,
		},
		{
			ID: "port-0", Kind: Challenge, Title: "-port 0 lets the kernel choose", Step: s1Bind,
			Hint:  "With -port 0 the kernel picks a port during bind(2); ask it which with getsockname(2) (localPort) and print that one.",
			Repro: []string{"{run} -port 0"},
			Run:   s1PortZero,
		},
		{
			ID: "restart", Kind: Challenge, Title: "restarts at once on the same port", Step: s1Socket,
			Hint:  "A connection the server closed first stays in TIME_WAIT on its port for a minute; without SO_REUSEADDR, bind(2) fails until then. Set it in Step 1.",
			Repro: []string{"{run} -max-line 4", "printf 'toolong\\n' | nc -N 127.0.0.1 8080", "{run} -max-line 4   # again, at once"},
			Run:   s1Restart,
		},
		{
			ID: "bad-flags", Kind: Challenge, Title: "bad flag values", Step: s1Socket,
			Hint:  "parseFlags prints the usage and exits with status 2 on a bad value; make sure nothing runs before it.",
			Repro: []string{"{run} -port 70000"},
			Run:   s1BadFlags,
		},
	},
}

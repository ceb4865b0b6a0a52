package milestones

// The Steps of stage2-client/README.md.
const (
	s2Connect = 1 + iota
	s2Input
	s2Send
	s2Reply
	s2Gone
)

var stage2 = &Stage{
	Number: 2,
	Dir:    "stage2-client",
	Title:  "a TCP client",
	Steps: []string{
		s2Connect - 1: "Connect to the server",
		s2Input - 1:   "Read a line from stdin",
		s2Send - 1:    "Send the whole line",
		s2Reply - 1:   "Read the whole reply",
		s2Gone - 1:    "Notice the server leaving",
	},
	Checks: []*Check{
		{
			ID: "M1", Kind: Milestone, Title: "connects to the server", Step: s2Connect,
			Hint: "connectTo creates a socket and connects it with connect(2); " +
				"main prints the connected line once it returns, and the [ERROR] line with connect's error when it fails.",
			Repro: []string{"go run ./stage1-server", "{run}", "{run} -port 1   # nothing listens there"},
			Run:   s2Connects,
		},
		{
			ID: "M2", Kind: Milestone, Title: "sends lines and prints the replies", Step: s2Reply,
			Hint:  "For each line readInput returns, sendAll must send all of it, and replies.next must return the whole reply line, which talk prints.",
			Repro: []string{"go run ./stage1-server", "printf 'hello\\nworld\\n' | {run}"},
			Run:   s2Trades,
		},
		{
			ID: "M3", Kind: Milestone, Title: "ends cleanly", Step: s2Gone,
			Hint: "The end of stdin makes readInput return io.EOF and the client exit with status 0; " +
				"a server that has gone makes talk return an error for which serverGone is true.",
			Repro: []string{"go run ./stage1-server", "{run}   # type a line, then press Ctrl-C in the server's terminal, then type another line"},
			Run:   s2EndsCleanly,
		},
		{
			ID: "pieces", Kind: Challenge, Title: "a reply that arrives in pieces", Step: s2Reply,
			Hint: "One read(2) returns whatever has arrived, which may be part of a reply. Keep reading, and keep what you read, until the reply's '\\n' is there.",
			Repro: []string{
				"(sleep 3; printf 'ol'; sleep 2; printf 'leh\\n'; sleep 1) | nc -l 127.0.0.1 8080   # a reply in two pieces",
				"printf 'hello\\n' | {run}",
				"printf 'eno\\nowt\\n' | nc -l 127.0.0.1 8080   # then two replies in one piece, before the second line is sent",
				"printf 'one\\ntwo\\n' | {run}   # should print both replies and end",
			},
			Run: s2Pieces,
		},
		{
			ID: "long", Kind: Challenge, Title: "a 100 KB line each way", Step: s2Input,
			Hint: "Lines may be far longer than one read(2) or one buffer: " +
				"read stdin with bufio.Reader.ReadBytes (bufio.Scanner stops at 64 KiB), send with a loop, " +
				"and gather the reply until its '\\n'.",
			Repro: []string{
				"go run ./stage1-server -max-line 200000",
				"head -c 100000 /dev/zero | tr '\\0' x | {run} | wc -c   # 100,000 x's and no newline: expect 100045",
			},
			Run: s2Long,
		},
		{
			ID: "control", Kind: Challenge, Title: "control bytes from the server, escaped", Step: s2Reply,
			Hint: "Print the reply through printable(content(reply)), " +
				"so an escape sequence or a NUL from the server is shown escaped instead of reaching the terminal.",
			Repro: []string{"printf 'a\\033[2Jb\\000c\\n' | nc -l 127.0.0.1 8080", "printf 'x\\n' | {run}"},
			Run:   s2Control,
		},
		{
			ID: "lock-step", Kind: Challenge, Title: "one line at a time, each after its reply", Step: s2Reply,
			Hint:  "Send a line, then wait until the whole reply has arrived and been printed before reading the next line of stdin.",
			Repro: []string{"nc -l 127.0.0.1 8080   # answer each line by typing a reply", "printf 'one\\ntwo\\n' | {run}"},
			Run:   s2LockStep,
		},
		{
			ID: "reset", Kind: Challenge, Title: "a server that resets the connection", Step: s2Gone,
			Hint: "ECONNRESET from a read or a send, and EPIPE from a send, mean the server has gone: print the disconnect line and exit with status 1, not an [ERROR].",
			Repro: []string{
				"go run ./stage1-server",
				"{run}   # the first client: press Ctrl-D once the second has sent a line",
				"{run}   # the second client: type a line; it waits, then the server's exit resets it",
			},
			Run: s2Reset,
		},
		{
			ID: "cut-off", Kind: Challenge, Title: "a reply cut off by the server closing", Step: s2Reply,
			Hint: "When read(2) returns 0 after part of a reply has arrived, next must return that part (r.pending) with io.EOF, not nil: " +
				"the given talk prints it as the server's message, and then main prints the disconnect line.",
			Repro: []string{"printf 'fed' | nc -N -l 127.0.0.1 8080", "printf 'def\\n' | {run}"},
			Run:   s2CutOff,
		},
		{
			ID: "no-newline", Kind: Challenge, Title: "a last line without a newline", Step: s2Input,
			Hint: "At the end of a file ReadBytes returns the last line without its '\\n', together with io.EOF. " +
				"Send it with a '\\n' added, and wait for its reply, before stopping.",
			Repro: []string{"go run ./stage1-server", "printf 'one\\ntwo' | {run}"},
			Run:   s2NoNewline,
		},
		{
			ID: "bad-flags", Kind: Challenge, Title: "bad flag values", Step: s2Connect,
			Hint:  "parseFlags prints the usage and exits with status 2 on a bad value; make sure nothing runs before it.",
			Repro: []string{"{run} -port 70000   # go run shows the program's status: exit status 2"},
			Run:   s2BadFlags,
		},
	},
}

package gallery

// Stage 2's broken programs: the mistakes learners make most with a client.

var stage2Gallery = []Broken{
	{
		name: "prints-first-bytes-as-reply",
		edits: []edit{{"client.go", `		r.pending = append(r.pending, r.buf[:n]...)
	}`, `		r.pending = append(r.pending, r.buf[:n]...)
		line := r.pending
		r.pending = nil
		return line, nil // whatever one read returned
	}`}},
		// Step 4's lesson, so Milestone 2 catches it.
		fails: map[string]string{"M2": "Only the start of the reply was printed"},
	},
	{
		name: "drops-what-follows-the-newline",
		edits: []edit{{"client.go", `			line := r.pending[:i+1]
			r.pending = r.pending[i+1:]
			return line, nil`, `			line := r.pending[:i+1]
			r.pending = nil // the learner took one read for one reply
			return line, nil`}},
		fails: map[string]string{"M2": "The start of this reply went missing"},
	},
	{
		name: "returns-all-of-pending",
		edits: []edit{{"client.go", `		if i := bytes.IndexByte(r.pending, '\n'); i >= 0 {
			line := r.pending[:i+1]
			r.pending = r.pending[i+1:]
			return line, nil
		}`, `		if bytes.IndexByte(r.pending, '\n') >= 0 {
			line := r.pending // the learner returned all that had arrived
			r.pending = nil
			return line, nil
		}`}},
		// Milestone 2 sends a reply and the start of the next in one piece.
		fails: map[string]string{"M2": "One read(2) brought this reply and the start of the next, and the client printed both as one: " +
			"return the line up to and including its '\\n', and keep the rest in r.pending for the next call.\nrevisit: Step 4,"},
	},
	{
		name: "reads-before-looking-at-pending",
		edits: []edit{{"client.go", `	for {
		// Bytes left over from an earlier read may already hold the line.
		if i := bytes.IndexByte(r.pending, '\n'); i >= 0 {
			line := r.pending[:i+1]
			r.pending = r.pending[i+1:]
			return line, nil
		}
		n, err := unix.Read(r.fd, r.buf)`, `	for {
		n, err := unix.Read(r.fd, r.buf) // read first, then look`},
			{"client.go", `		r.pending = append(r.pending, r.buf[:n]...)
	}`, `		r.pending = append(r.pending, r.buf[:n]...)
		if i := bytes.IndexByte(r.pending, '\n'); i >= 0 {
			line := r.pending[:i+1]
			r.pending = r.pending[i+1:]
			return line, nil
		}
	}`}},
		// Milestone 2's reply and the start of the next still pass: the
		// rest of that reply is read after the start.
		fails: map[string]string{"pieces": "The reply to this line had arrived already, in the same read(2) as the reply before it, " +
			"and the client is waiting in read(2) for more: next must look in r.pending for a whole line before it reads again.\nrevisit: Step 4,"},
	},
	{
		name:         "forgets-to-import-bytes",
		edits:        []edit{{"client.go", "\t\"bytes\"\n", ""}},
		compileError: `client.go uses package bytes without importing it: add "bytes" to the import block`,
	},
	{
		name: "sends-before-reply",
		edits: []edit{{"client.go", `		if err := sendAll(fd, line); err != nil {
			return err
		}
		// Lock-step:`, `		if err := sendAll(fd, line); err != nil {
			return err
		}
		if in.Buffered() > 0 {
			continue // the learner sends what is typed ahead before reading replies
		}
		// Lock-step:`}},
		fails: map[string]string{"lock-step": "the client sent its next line before the whole reply to the last one had arrived"},
	},
	{
		name: "exits-1-at-stdin-eof",
		edits: []edit{{"client.go", `		if err == io.EOF {
			return nil // the end of stdin: nothing more to send
		}`, `		if err == io.EOF {
			return err
		}`}},
		fails: map[string]string{"M3": "readInput's io.EOF means stdin has ended"},
	},
	{
		name: "loops-when-server-vanishes",
		edits: []edit{{"client.go", `		if n == 0 {
			return r.pending, io.EOF // the server closed its side
		}`, `		if n == 0 {
			continue // the learner did not know read returns 0 at the end
		}`}},
		fails: map[string]string{"M3": "the program is still running"},
	},
	{
		name: "prints-a-prompt",
		edits: []edit{{"client.go", `	line, err := in.ReadBytes('\n')`, `	fmt.Print("> ")
	line, err := in.ReadBytes('\n')`}},
		fails: map[string]string{"M2": `Something was printed in front of the line: "> "`},
	},
	{
		name: "connected-before-connecting",
		edits: []edit{
			{"main.go", `	fd, err := connectTo(cfg.host, cfg.port)`, `	fmt.Println("[INFO] Connected to server")
	fd, err := connectTo(cfg.host, cfg.port)`},
			{"main.go", `	fmt.Println("[INFO] Connected to server")

	err = talk(fd, os.Stdin)`, `	err = talk(fd, os.Stdin)`},
		},
		fails: map[string]string{"M1": "nothing should be printed to stdout when the client cannot connect"},
	},
	{
		name: "reset-reported-as-error",
		edits: []edit{{"client.go", `	return errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET) || errors.Is(err, unix.EPIPE)`,
			`	return errors.Is(err, io.EOF)`}},
		fails: map[string]string{"M3": "serverGone should be true for them"},
	},
	{
		name: "server-gone-compared-with-equals",
		edits: []edit{
			{"client.go", "\t\"errors\"\n", ""},
			{"client.go", `	return errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET) || errors.Is(err, unix.EPIPE)`,
				`	return err == io.EOF || err == unix.ECONNRESET || err == unix.EPIPE`},
		},
		fails: map[string]string{"M3": "compare with errors.Is, not =="},
	},
	{
		name: "forgets-epipe",
		edits: []edit{{"client.go", `	return errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET) || errors.Is(err, unix.EPIPE)`,
			`	return errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET)`}},
		fails: map[string]string{"reset": "serverGone should be true for them"},
	},
	{
		name: "eof-reported-as-error",
		edits: []edit{{"client.go", `	return errors.Is(err, io.EOF) || errors.Is(err, unix.ECONNRESET) || errors.Is(err, unix.EPIPE)`,
			`	return errors.Is(err, unix.ECONNRESET) || errors.Is(err, unix.EPIPE)`}},
		fails: map[string]string{"M3": "serverGone should be true for it"},
	},
	{
		name: "prints-control-bytes-raw",
		edits: []edit{{"client.go", `			fmt.Printf("[SERVER MESSAGE] %s\n", printable(content(reply)))`,
			`			fmt.Printf("[SERVER MESSAGE] %s\n", content(reply))`}},
		fails: map[string]string{"control": "The reply was printed raw: pass it through printable()"},
	},
	{
		name: "scanner-for-stdin",
		edits: []edit{{"client.go", `	line, err := in.ReadBytes('\n')
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read stdin: %w", err)
	}`, `	sc := bufio.NewScanner(in) // the learner's usual way to read lines
	if !sc.Scan() {
		if sc.Err() != nil {
			return nil, fmt.Errorf("read stdin: %w", sc.Err())
		}
		return nil, io.EOF
	}
	line, err := append(sc.Bytes(), '\n'), error(nil)
	_ = err`}},
		fails: map[string]string{
			"long":      "bufio.Scanner: token too long",
			"lock-step": "a reader made anew for each line loses what the last one had read ahead",
			"reset":     "bufio.Scanner: token too long",
		},
	},
	{
		name: "cut-off-reply-not-returned",
		edits: []edit{{"client.go", `			return r.pending, io.EOF // the server closed its side`,
			`			return nil, io.EOF // the learner saw no reply, only the end`}},
		// talk prints what next returns with io.EOF: here, nothing.
		fails: map[string]string{"cut-off": "next must return that part (r.pending) with io.EOF, not nil: " +
			"the given talk prints it as the server's message, and then main prints the disconnect line.\nrevisit: Step 4,"},
	},
	{
		name: "sends-last-line-without-newline",
		edits: []edit{{"client.go", `	if line[len(line)-1] != '\n' {
		// The last line of a file may lack its newline. The server
		// answers only complete lines, so give it one.
		line = append(line, '\n')
	}
`, ``}},
		// The server waits for the rest of the line, and the client for
		// its reply: the check's deadline ends it.
		fails: map[string]string{"no-newline": "readInput must add the '\\n' to a last line that has none: " +
			"the server answers only complete lines.\nrevisit: Step 2,"},
	},
	{
		name: "drops-last-line-without-newline",
		edits: []edit{{"client.go", `	if line[len(line)-1] != '\n' {
		// The last line of a file may lack its newline. The server
		// answers only complete lines, so give it one.
		line = append(line, '\n')
	}`, `	if line[len(line)-1] != '\n' {
		return nil, io.EOF // the learner took the missing newline for the end
	}`}},
		fails: map[string]string{"no-newline": "without sending the last line, which had no newline"},
	},
	{
		name: "connect-error-wrapped",
		edits: []edit{{"client.go", `		unix.Close(fd)
		return -1, err
	}
	return fd, nil`, `		unix.Close(fd)
		return -1, os.NewSyscallError("connect", err)
	}
	return fd, nil`}},
		fails: map[string]string{"M1": "return connect's error as it is, without os.NewSyscallError"},
	},
	{
		name:  "port-not-validated",
		edits: []edit{{"flags.go", `	if *port < 0 || *port > 65535 {`, `	if false {`}},
		fails: map[string]string{"bad-flags": "it should be exit status 2"},
	},
}

package gallery

// Stage 1's broken programs: the mistakes learners make most with a
// blocking server.

const s1Connected = `	fmt.Println("[INFO] Client connected to server")`

var stage1Gallery = []Broken{
	{
		name: "reverses-terminator",
		edits: []edit{{"server.go", `	reply = appendReversed(reply, line)`, `	for i := len(line) - 1; i >= 0; i-- {
		reply = append(reply, line[i])
	}`}},
		fails: map[string]string{"M2": "reverse the text before the terminator, not the terminator"},
	},
	{
		name: "one-read-one-message",
		edits: []edit{{"server.go", `		lines.write(buf[:n])
		for {
			line, ok := lines.next()
			if !ok {
				break
			}
			if reply, err = answer(conn, line, reply[:0]); err != nil {
				return
			}
		}`, `		if reply, err = answer(conn, buf[:n], reply[:0]); err != nil {
			return
		}`}},
		fails: map[string]string{
			"split":       "the server replied before the line was complete",
			"eof-partial": `expected: "cba\n"`,
			"long-line":   "the server should drop a client that sends a line over the limit",
			"pipelined":   "got a wrong reply",
			"restart":     "the server should drop a client that sends a line over the limit",
		},
	},
	{
		name: "crlf-answered-with-lf",
		edits: []edit{{"server.go", `	reply = appendReversed(reply, line)`, `	reply = appendReversed(reply, content(line))
	reply = append(reply, '\n')`}},
		fails: map[string]string{
			"crlf":        `The \r of a \r\n terminator went missing or moved`,
			"utf8":        `The \r of a \r\n terminator went missing or moved`,
			"eof-partial": `answer the unterminated "def"`,
			"long-line":   `The \r of a \r\n terminator went missing or moved`,
		},
	},
	{
		name: "exits-0-after-client",
		edits: []edit{{"server.go", `	fmt.Println("[INFO] Client disconnected. Closing server")
	return nil`, `	fmt.Println("[INFO] Client disconnected. Closing server")
	os.Exit(0)
	return nil`}},
		fails: map[string]string{"M3": "the program ended with exit status 0; it should be exit status 1"},
	},
	{
		name: "keeps-running-after-client",
		edits: []edit{{"server.go", `	conn, err := acceptClient(ln)
	if err != nil {
		return err
	}
	defer unix.Close(conn)
	fmt.Println("[INFO] Client connected to server")

	serve(conn, cfg.maxLine)
	fmt.Println("[INFO] Client disconnected. Closing server")
	return nil`, `	for {
		conn, err := acceptClient(ln)
		if err != nil {
			return err
		}
		fmt.Println("[INFO] Client connected to server")
		serve(conn, cfg.maxLine)
		unix.Close(conn)
		fmt.Println("[INFO] Client disconnected. Closing server")
	}`}},
		fails: map[string]string{"M3": "the program was still running"},
	},
	{
		name:  "connected-line-typo",
		edits: []edit{{"server.go", s1Connected, `	fmt.Println("[INFO] Client connected to the server")`}},
		fails: map[string]string{"M1": "the program printed a different line than expected"},
	},
	{
		name: "logs-control-bytes-raw",
		edits: []edit{{"server.go", `	fmt.Printf("[CLIENT MESSAGE] %s\n", printable(content(line)))`,
			`	fmt.Printf("[CLIENT MESSAGE] %s\n", content(line))`}},
		fails: map[string]string{
			"crlf":   "print received text through printable()",
			"binary": "print received text through printable()",
		},
	},
	{
		name: "panics-when-port-taken",
		edits: []edit{{"server.go", `	if err := bindAndListen(fd, host, port); err != nil {
		unix.Close(fd)
		return -1, err
	}`, `	if err := bindAndListen(fd, host, port); err != nil {
		panic(err)
	}`}},
		fails: map[string]string{"port-in-use": "It panicked (panic: bind 127.0.0.1:"},
	},
	{
		name: "ignores-bind-error",
		edits: []edit{{"server.go", `	if err := unix.Bind(fd, addr); err != nil {
		return fmt.Errorf("bind %d.%d.%d.%d:%d: %w", host[0], host[1], host[2], host[3], port, err)
	}`, `	unix.Bind(fd, addr) // the learner forgot that bind can fail`}},
		// listen(2) on an unbound socket binds it to a random port, so
		// the program runs on, listening somewhere else.
		fails: map[string]string{"port-in-use": "the program was still running"},
	},
	{
		name: "no-listen",
		edits: []edit{{"server.go", `	// From here on the kernel completes handshakes by itself and queues up to
	// SOMAXCONN finished connections until accept(2) takes them.
	if err := unix.Listen(fd, unix.SOMAXCONN); err != nil {
		return os.NewSyscallError("listen", err)
	}
`, ``}},
		// accept(2) on a socket that was bound but never made to listen
		// fails at once with EINVAL, and the server ends with
		// "[ERROR] accept: invalid argument". The Stage 1 lesson shows it.
		fails: map[string]string{"M1": "accept(2) failed with EINVAL (\"invalid argument\"): accept needs a listening socket. " +
			"After bind(2), call listen(2) on the socket: that is what makes it take connections for accept to return.\n" +
			`revisit: Step 2, "Bind and listen"`},
	},
	{
		name: "prints-before-listening",
		edits: []edit{
			{"server.go", `	ln, err := listen(cfg.host, cfg.port)`, `	fmt.Printf("[INFO] Server listening on port %d\n", cfg.port)
	ln, err := listen(cfg.host, cfg.port)`},
			{"server.go", `	fmt.Printf("[INFO] Server listening on port %d\n", port)`, `	_ = port`},
		},
		fails: map[string]string{
			"port-in-use": "nothing should be printed to stdout when the server cannot listen",
			"port-0":      "with -port 0 the listening line should show the port the kernel chose",
		},
		// A client that connects right after the early line, before
		// listen(2), is refused: any check that connects may see it.
		mayFail: allBut(1, "listen(2) is called before the listening line is printed", "port-in-use", "port-0", "bad-flags"),
	},
	{
		name:         "forgets-to-import-unix",
		edits:        []edit{{"server.go", "\n\t\"golang.org/x/sys/unix\"\n", ""}},
		compileError: `server.go uses package unix without importing it: add "golang.org/x/sys/unix" to the import block`,
	},
	{
		// Trying to keep the server up: with no other goroutine, the
		// runtime sees that nothing can ever wake the main one.
		name: "waits-for-ever-after-its-client",
		edits: []edit{{"server.go", `	serve(conn, cfg.maxLine)
`, `	serve(conn, cfg.maxLine)
	select {} // keep the server up
`}},
		fails: map[string]string{"M3": "All goroutines are asleep: the program waits for something that never comes, and the Go runtime stopped it. " +
			"Its main goroutine waits (select (no cases)) in run, at server.go:"},
	},
	{
		name: "write-loop-never-advances",
		edits: []edit{{"server.go", `			return os.NewSyscallError("write", err)
		}
		b = b[n:]`, `			return os.NewSyscallError("write", err)
		}
		_ = n // the learner forgot to move past what was written`}},
		fails: map[string]string{"M2": "A reply came again and again"},
	},
	{
		name: "read-returns-buffer-size",
		edits: []edit{{"server.go", `			return 0, os.NewSyscallError("read", err)
		}
		return n, nil`, `			return 0, os.NewSyscallError("read", err)
		}
		_ = n
		return len(buf), nil // the learner returned how much fits, not what arrived`}},
		// serve takes the whole buffer for what arrived: the bytes after
		// the line are left over from before, or zeros.
		fails: map[string]string{"M2": "readSome must return how many bytes its read(2) put in buf"},
	},
	{
		name: "read-error-is-fatal",
		edits: []edit{{"server.go", `		if err != nil {
			return // the connection broke, for example with ECONNRESET
		}`, `		if err != nil {
			fmt.Fprintf(os.Stderr, "[ERROR] %v\n", err)
			os.Exit(1)
		}`}},
		fails: map[string]string{"reset": "print the disconnect line, not an [ERROR]"},
	},
	{
		name: "prints-the-port-flag",
		edits: []edit{{"server.go",
			`	fmt.Printf("[INFO] Server listening on port %d\n", port)`,
			`	fmt.Printf("[INFO] Server listening on port %d\n", cfg.port) // the port asked for
	_ = port`}},
		fails: map[string]string{"port-0": "with -port 0 the listening line should show the port the kernel chose"},
	},
	{
		name: "no-so-reuseaddr",
		edits: []edit{{"server.go", `	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("setsockopt", err)
	}`, ``}},
		fails: map[string]string{"restart": "address already in use"},
	},
	{
		name:  "no-line-limit",
		edits: []edit{{"server.go", `		if lines.tooLong() {`, `		if false && lines.tooLong() {`}},
		fails: map[string]string{
			"long-line": "the server should drop a client that sends a line over the limit",
			"restart":   "the server should drop a client that sends a line over the limit",
		},
	},
	{
		name:  "port-not-validated",
		edits: []edit{{"flags.go", `	if *port < 0 || *port > 65535 {`, `	if false {`}},
		fails: map[string]string{"bad-flags": "it should be exit status 2"},
	},
}

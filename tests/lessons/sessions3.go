package lessons

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"workbook/tests/harness"
)

// Stage 3's sessions show one terminal each: the server's, or a shell
// where the server runs in the background. Every action waits for the
// server's "[DEBUG] Epoll wait" line that ends the round it caused, so that
// each event has a round of its own, as when a person types.
var stage3Sessions = map[string]sessionFunc{
	// The server in one terminal; then nc 127.0.0.1 8080 in another.
	"milestone-1": func(s *Session) {
		srv := s.epollServer()
		s.terminal(true).ncToEnd("nc 127.0.0.1 8080")
		srv.exit()
		s.show(false, srv.t)
	},
	// The server built and started in the background, and its interest
	// list read from /proc.
	"proc-fdinfo": procFdinfo,
	// Two nc clients connect in turn and send a line each.
	"two-clients": func(s *Session) {
		srv := s.epollServer()
		one, two := s.ncClient(srv), s.ncClient(srv)
		s.say(srv, one, "hello from one")
		s.say(srv, two, "hello from two")
		s.show(false, srv.t)
	},
	// Clients 1 and 2 send a line each; client 1 ends (Ctrl-C); client 2
	// sends another, and client 3 connects and sends one.
	"one-leaves": func(s *Session) {
		srv := s.epollServer()
		one, two := s.ncClient(srv), s.ncClient(srv)
		s.say(srv, one, "one")
		s.say(srv, two, "two")
		s.leave(srv, one)
		s.say(srv, two, "still here")
		s.say(srv, s.ncClient(srv), "new here")
		s.show(false, srv.t)
	},
	// Client 1 sends a large file and reads nothing; client 2 sends one
	// line and closes its side; then ss shows the sockets.
	"stuck-in-write": func(s *Session) {
		srv := s.server(s.terminal(false), s.st.Dir, s.program())
		s.flood(srv.Pid())
		s.terminal(true).nc("echo 'are you there?' | nc -N 127.0.0.1 8080").halfClose("are you there?\n")
		t := s.terminal(false)
		s.settled(t)
		s.ss(t)
		s.show(false, t)
	},
	// Three nc clients send a line each; the second ends; the first and
	// third send another; then Ctrl-C stops the server, and echo $? shows
	// its exit status.
	"three-clients": func(s *Session) {
		t := s.terminal(false)
		srv := t.start("bin/stage3-epoll", false, s.program(), "-port", s.portArg())
		srv.waitFor("[DEBUG] Epoll wait")
		one, two, three := s.ncClient(srv), s.ncClient(srv), s.ncClient(srv)
		s.say(srv, one, "hello from one")
		s.say(srv, two, "hello from two")
		s.say(srv, three, "and three")
		s.leave(srv, two)
		s.say(srv, one, "still here")
		s.say(srv, three, "me too")
		srv.ctrlC()
		e := srv.exit()
		t.command("echo $?")
		t.print(strconv.Itoa(e.Code))
		s.show(false, t)
		s.normalise = oneWaitAfterSignal
	},
	// In one shell: the server in the background, a client that sends 50 MB
	// and reads nothing for 30 seconds, another client, the server's memory
	// and its sockets.
	"back-pressure": func(s *Session) {
		t := s.terminal(false)
		t.command(`big=$(mktemp) && head -c 50000000 /dev/zero | tr '\0' x | fold -w 1000 > $big`)
		srv := t.start("bin/stage3-epoll -quiet & server=$!", false, s.program(), "-quiet", "-port", s.portArg())
		srv.waitFor("Server listening on port")
		t.command("nc -N 127.0.0.1 8080 < $big | (sleep 30; wc -c) &")
		s.flood(srv.Pid())
		t.pipe("echo 'are you there?' | nc -N 127.0.0.1 8080", "are you there?\n")
		t.shell("grep VmRSS /proc/$server/status", "grep", "VmRSS", fmt.Sprintf("/proc/%d/status", srv.Pid()))
		s.ss(t)
		s.show(false, t)
	},
	// In one shell: the server in the background, allowed 32 descriptors,
	// and 40 clients that connect and stay.
	"out-of-descriptors": func(s *Session) {
		t := s.terminal(false)
		srv := t.start("bin/stage3-epoll -quiet & server=$!", false, s.program(), "-quiet", "-port", s.portArg())
		srv.waitFor("Server listening on port")
		t.shell("prlimit --pid $server --nofile=32:32", "prlimit", "--pid", strconv.Itoa(srv.Pid()), "--nofile=32:32")
		t.command("for i in $(seq 40); do sleep 60 | nc 127.0.0.1 8080 & done")
		hidden := s.terminal(false)
		for range 40 {
			c, err := harness.Dial(s.addr(), "client", hidden.tr)
			s.must(err)
			s.cleanup(func() { c.Close() })
		}
		const refusals = 8 // enough for the lesson's first lines
		_, err := srv.WaitCount(deadline, refusals, func(l string) bool { return strings.HasPrefix(l, "[WARN] Out of file descriptors") })
		s.mustf(err, "waiting for %d refusals", refusals)
		s.show(false, t)
	},
}

// oneWaitAfterSignal shows the Ctrl-C that stops the server right before
// its shutting-down line, where a round of the loop came between. Ctrl-C's
// SIGINT may reach the thread asleep in epoll_wait, which then fails with
// EINTR, and the loop goes round once more (one more "[DEBUG] Epoll wait",
// after the ^C) before the eventfd wakes it; or not, depending on which
// thread the kernel chose.
func oneWaitAfterSignal(lines []string) []string {
	var out []string
	for i := 0; i < len(lines); i++ {
		if lines[i] == "^C[DEBUG] Epoll wait" && i+1 < len(lines) && lines[i+1] == "[INFO] Server shutting down" {
			out = append(out, "^C"+lines[i+1])
			i++
			continue
		}
		out = append(out, lines[i])
	}
	return out
}

// epollServer starts the recipe's server as go run ./stage3-epoll, in a
// terminal of its own, and waits until it waits for events.
func (s *Session) epollServer() *proc {
	srv := s.server(s.terminal(false), s.st.Dir, s.program())
	srv.waitFor("[DEBUG] Epoll wait")
	return srv
}

// ncClient connects nc from a terminal of its own, and waits for the round
// of srv's loop that accepts it.
func (s *Session) ncClient(srv *proc) *nc {
	c := s.terminal(true).nc("nc 127.0.0.1 8080")
	srv.waitFor("[INFO] Client connected to server")
	srv.waitFor("[DEBUG] Epoll wait")
	return c
}

// say types line into c, and waits for srv's round that answers it, and
// for the answer.
func (s *Session) say(srv *proc, c *nc, line string) {
	c.typeLine(line)
	srv.waitFor("[CLIENT MESSAGE] " + line)
	srv.waitFor("[DEBUG] Epoll wait")
	c.reply()
}

// leave ends c, as Ctrl-C in its terminal does, and waits for srv's round
// that drops it.
func (s *Session) leave(srv *proc, c *nc) {
	c.Close()
	srv.waitFor("[INFO] Client disconnected")
	srv.waitFor("[DEBUG] Epoll wait")
}

// halfClose sends text and closes the sending side, as echo ... | nc -N
// does, without waiting for a reply.
func (c *nc) halfClose(text string) {
	c.t.s.must(c.Send(text))
	c.t.s.must(c.CloseWrite())
}

// flood connects a client that sends lines of 1,000 x's, as many as the
// server (process pid) takes, and reads nothing; it returns once the
// client's sending has stopped for a moment, with the server asleep: the
// server holds all it will, and TCP holds the rest back.
func (s *Session) flood(pid int) {
	c, err := harness.Dial(s.addr(), "flood", s.terminal(false).tr)
	s.must(err)
	s.cleanup(func() { c.Close() })
	var snd harness.Sender
	snd.Starts() // and never finishes: it sends until the kernel holds it back
	chunk := strings.Repeat(strings.Repeat("x", 1000)+"\n", 64)
	go func() {
		for {
			if snd.Send(c, chunk) != nil {
				return // the session is over, and the connection closed
			}
		}
	}()
	if _, err := snd.WaitStuck(pid, nil); err != nil {
		s.must(fmt.Errorf("the flood client: %v", err))
	}
}

// settled waits until no socket of the session's port is in FIN-WAIT-1: a
// FIN sent, and its acknowledgement not come yet. The kernel offers no
// event for that, so it looks again and again, a moment apart.
func (s *Session) settled(t *terminal) {
	end := time.Now().Add(harness.Scaled(deadline))
	for time.Now().Before(end) {
		out := t.exec("ss", "-tnH", "state", "fin-wait-1", fmt.Sprintf("( sport = :%d or dport = :%d )", s.port, s.port))
		if len(out) == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.must(fmt.Errorf("a socket was still in FIN-WAIT-1 after %v", harness.Scaled(deadline)))
}

// ss shows the session's sockets with ss. The order of its lines is the
// kernel's, which changes from run to run, so the comparison sorts them.
func (s *Session) ss(t *terminal) {
	t.shell(`ss -tn '( sport = :8080 or dport = :8080 )'`,
		"ss", "-tn", fmt.Sprintf("( sport = :%d or dport = :%d )", s.port, s.port))
	s.normalise = sortSockets
}

// sortSockets sorts the lines that follow an ss header, with their ports
// other than 8080 all shown as P: the order of ss's lines, and so the
// order in which Normalise numbered the ports, is the kernel's.
func sortSockets(lines []string) []string {
	out := slices.Clone(lines)
	for i := 0; i < len(out); i++ {
		if !strings.HasPrefix(out[i], "State ") {
			continue
		}
		j := i + 1
		for j < len(out) && ssLine.MatchString(out[j]) {
			out[j] = anyPort.ReplaceAllString(out[j], ":P")
			j++
		}
		slices.Sort(out[i+1 : j])
		i = j - 1
	}
	return out
}

var (
	ssLine  = regexp.MustCompile(`^[A-Z][A-Z0-9-]+ `)
	anyPort = regexp.MustCompile(`:P\d+\b`)
)

// procFdinfo builds and starts the server in the background, on a port
// the kernel chooses, and reads its descriptors and its interest list.
// The listing keeps the server's own descriptors, from 3 to the spare
// (/dev/null), with "..." for the others: stdin, stdout and stderr, and
// whatever the shell that started it left open.
func procFdinfo(s *Session) {
	t := s.terminal(false)
	t.command("go build -o bin/ ./stage3-epoll")
	srv := t.start("bin/stage3-epoll -port 0 & server=$!", false, s.program(), "-port", "0")
	srv.waitFor("[DEBUG] Epoll wait")
	pid := srv.Pid()
	t.command("ls -lv /proc/$server/fd")
	epoll := ""
	var shown []string
	state := "before" // the server's own descriptors: before, in, after
	for _, l := range t.exec("ls", "-lv", fmt.Sprintf("/proc/%d/fd", pid)) {
		m := lsFd.FindStringSubmatch(l)
		if state == "before" && m != nil && m[1] == "3" {
			shown, state = append(shown, elided), "in"
		}
		if state != "in" {
			continue
		}
		shown = append(shown, l)
		if strings.HasSuffix(l, "-> anon_inode:[eventpoll]") {
			epoll = m[1] // the last one is the server's; the Go runtime makes the first
		}
		if strings.HasSuffix(l, "-> /dev/null") {
			shown, state = append(shown, elided), "after"
		}
	}
	t.print(shown...)
	t.shell("grep tfd /proc/$server/fdinfo/"+epoll, "grep", "tfd", fmt.Sprintf("/proc/%d/fdinfo/%s", pid, epoll))
	t.command("kill $server")
	srv.Stop()
	s.show(false, t)
	s.normalise = renumberDescriptors
}

var (
	lsFd = regexp.MustCompile(` (\d+) -> `)
	// A descriptor's number, where the block shows one.
	descriptor = regexp.MustCompile(`(^\S*?|fdinfo/|tfd: |data: )(\d+)\b`)
)

// renumberDescriptors shows descriptors numbered in order of appearance,
// D1, D2..., and leaves out the files of /sys/fs/cgroup: which files the Go
// runtime keeps open to follow the CPU limit, and so every later
// descriptor's number, depends on the machine.
func renumberDescriptors(lines []string) []string {
	numbers := map[string]string{}
	var out []string
	for _, l := range lines {
		if strings.Contains(l, "-> /sys/fs/cgroup/") {
			continue
		}
		if strings.Contains(l, " -> ") || strings.HasPrefix(l, "tfd:") || strings.Contains(l, "/fdinfo/") {
			l = descriptor.ReplaceAllStringFunc(l, func(m string) string {
				sub := descriptor.FindStringSubmatch(m)
				d, ok := numbers[sub[2]]
				if !ok {
					d = fmt.Sprintf("D%d", len(numbers)+1)
					numbers[sub[2]] = d
				}
				return sub[1] + d
			})
		}
		out = append(out, l)
	}
	return out
}

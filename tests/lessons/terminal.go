package lessons

import (
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"workbook/tests/harness"
)

// A terminal is what one terminal window of a session shows: the commands
// typed at its prompt, what the programs started there print, and what is
// typed into them. Everything is recorded in its transcript, in order, and
// render turns that into lines.
type terminal struct {
	s    *Session
	n    int // its number in the session, from 1
	tr   *harness.Transcript
	echo bool // whether what is sent to a program was typed, and so shows
}

// What a terminal records besides programs' output and connections.
const (
	prompt harness.Who = "$"      // a command line typed at the prompt
	goRun  harness.Who = "go run" // what go run says when the program ends
	tty    harness.Who = "tty"    // what the terminal itself echoes, such as ^C
)

// deadline is how long a session waits for anything: a line, a reply, an
// exit. Like the checks' deadlines, it is generous and scaled.
const deadline = 10 * time.Second

// command shows a command line typed at the prompt.
func (t *terminal) command(line string) { t.tr.Add(prompt, harness.Note, line) }

// A proc is a program started in a terminal.
type proc struct {
	*harness.Process
	t     *terminal
	goRun bool // started with go run, which reports how it ended
}

// start starts bin with args in the terminal, after the command line shown;
// goRun says whether that line is a go run, whose "exit status N" line
// then ends the program's output. Its stdout and stderr share one pipe, as
// on a terminal.
func (t *terminal) start(shown string, goRun bool, bin string, args ...string) *proc {
	t.command(shown)
	p, err := harness.Start(bin, harness.Options{Args: args, Transcript: t.tr, Combined: true})
	t.s.must(err)
	t.s.cleanup(p.Stop)
	return &proc{Process: p, t: t, goRun: goRun}
}

// waitFor waits for a line of output that contains text.
func (p *proc) waitFor(text string) string {
	l, err := p.WaitLine(deadline, func(l string) bool { return strings.Contains(l, text) })
	if err != nil {
		var out []string
		for _, l := range p.Lines() {
			out = append(out, l.Text)
		}
		p.t.s.mustf(err, "waiting for %q, after the output %q", text, out[max(0, len(out)-5):])
	}
	return l
}

// typeLine types a line (with its Enter) into the program.
func (p *proc) typeLine(line string) { p.t.s.must(p.WriteStdin(line + "\n")) }

// ctrlD ends the program's stdin, as Ctrl-D at the start of a line does.
func (p *proc) ctrlD() { p.t.s.must(p.CloseStdin()) }

// ctrlC sends SIGINT to the program's process group, as Ctrl-C in its
// terminal does. The terminal shows ^C where it stands: wait first for the
// program's lines that come before it, as the program's output is read
// while the session goes on.
func (p *proc) ctrlC() {
	p.t.tr.Add(tty, harness.Out, "^C") // echoed, with no new line
	p.t.s.must(syscall.Kill(-p.Pid(), syscall.SIGINT))
}

// exit waits for the program to end and shows what go run says then.
func (p *proc) exit() harness.Exit {
	e, err := p.WaitExit(deadline)
	p.t.s.mustf(err, "waiting for the program to end")
	if p.goRun {
		switch {
		case e.Code > 0:
			p.t.tr.Add(goRun, harness.Out, fmt.Sprintf("exit status %d", e.Code))
		case e.Code < 0:
			p.t.tr.Add(goRun, harness.Out, "signal: "+e.Signal.String())
		}
	}
	return e
}

// An nc is a stand-in for netcat: a connection that the session drives,
// whose terminal shows what was typed into it and what came back.
type nc struct {
	*harness.Conn
	t *terminal
}

// nc connects to the session's port, after the command line shown.
func (t *terminal) nc(shown string) *nc {
	t.command(shown)
	c, err := harness.Dial(t.s.addr(), harness.Who(fmt.Sprintf("nc %d", t.n)), t.tr)
	t.s.must(err)
	t.s.cleanup(func() { c.Close() })
	return &nc{Conn: c, t: t}
}

// ncToEnd connects nc to a server that ends as soon as it sees a client,
// and leaves it connected. The server's exit may reset the connection
// before connect(2) has returned: nc then shows no more than it does when
// the reset comes later.
func (t *terminal) ncToEnd(shown string) {
	t.command(shown)
	c, err := harness.Dial(t.s.addr(), harness.Who(fmt.Sprintf("nc %d", t.n)), t.tr)
	if errors.Is(err, syscall.ECONNRESET) {
		return
	}
	t.s.must(err)
	t.s.cleanup(func() { c.Close() })
}

// typeLine types a line into nc, which sends it.
func (c *nc) typeLine(line string) { c.t.s.must(c.Send(line + "\n")) }

// reply waits for the next line from the server.
func (c *nc) reply() string {
	l, err := c.ReadLine(deadline)
	c.t.s.mustf(err, "waiting for a reply")
	return l
}

// pipe runs printf ... | nc -N: it sends input, closes its sending side,
// and shows everything that comes back until the server closes.
func (t *terminal) pipe(shown, input string) string {
	c := t.nc(shown)
	t.s.must(c.Send(input))
	t.s.must(c.CloseWrite())
	out, err := c.ReadToEOF(deadline)
	t.s.mustf(err, "waiting for the server to close")
	c.Close()
	return out
}

// shell runs a real command (ls, grep, ss...) in the terminal, after the
// command line shown, and shows its output.
func (t *terminal) shell(shown string, name string, args ...string) []string {
	t.command(shown)
	lines := t.exec(name, args...)
	t.print(lines...)
	return lines
}

// exec runs a real command and returns its output, shown nowhere.
func (t *terminal) exec(name string, args ...string) []string {
	out, err := exec.CommandContext(t.s.ctx, name, args...).CombinedOutput()
	t.s.mustf(err, "%s %s: %s", name, strings.Join(args, " "), out)
	if len(out) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

// print shows lines of output in the terminal.
func (t *terminal) print(lines ...string) {
	for _, l := range lines {
		t.tr.Add("shell", harness.Out, l)
	}
}

// render returns what the terminal shows, line by line. As on a terminal,
// what comes after text with no new line (what a connection received
// after its last "\n", an echoed ^C) goes on the same line; a command line
// starts a line of its own.
func (t *terminal) render() []string {
	var out []string
	partial := ""
	line := func(text string) {
		out = append(out, partial+text)
		partial = ""
	}
	for _, e := range t.tr.Events() {
		for range e.Count {
			switch {
			case e.Who == prompt:
				if partial != "" {
					line("")
				}
				out = append(out, "$ "+e.Text)
			case e.Who == tty:
				partial += e.Text
			case e.Dir == harness.Out && strings.HasPrefix(string(e.Who), "nc "):
				lines := strings.Split(partial+e.Text, "\n")
				partial = lines[len(lines)-1]
				out = append(out, lines[:len(lines)-1]...)
			case e.Dir == harness.Out:
				line(e.Text)
			case e.Dir == harness.In && t.echo:
				for _, l := range strings.Split(strings.TrimSuffix(e.Text, "\n"), "\n") {
					line(l)
				}
			}
		}
	}
	if partial != "" {
		line("")
	}
	return out
}

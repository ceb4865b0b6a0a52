package tests

import (
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"workbook/tests/harness"
)

// A screen is what a program writes to a terminal: the check command
// started with a pseudo-terminal as its stdout and stderr.
type screen struct {
	cmd *exec.Cmd

	mu      sync.Mutex
	text    strings.Builder
	changed chan struct{} // closed, and replaced, when text grows
	done    chan struct{} // closed when the program has closed the terminal
}

// onTerminal starts the check command on a terminal of its own, with env
// added to its environment.
func onTerminal(t *testing.T, env []string, args ...string) *screen {
	t.Helper()
	control, terminal, err := harness.OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	defer terminal.Close()
	s := &screen{cmd: exec.Command(checkCommand(t), args...), changed: make(chan struct{}), done: make(chan struct{})}
	s.cmd.Dir = root
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = terminal, terminal
	if err := s.cmd.Start(); err != nil {
		control.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		<-s.done
	})
	go s.read(control)
	return s
}

// read collects the screen until the program, and whatever it started,
// have closed the terminal: then reading fails with EIO.
func (s *screen) read(control *os.File) {
	defer close(s.done)
	defer control.Close()
	buf := make([]byte, 4096)
	for {
		n, err := control.Read(buf)
		s.mu.Lock()
		s.text.Write(buf[:n])
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.text.String()
}

// waitFor waits until the screen shows text.
func (s *screen) waitFor(t *testing.T, text string) {
	t.Helper()
	deadline := time.After(harness.Scaled(60 * time.Second))
	for {
		s.mu.Lock()
		found, changed := strings.Contains(s.text.String(), text), s.changed
		s.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-s.done:
			t.Fatalf("the screen never showed %q:\n%q", text, s.String())
		case <-deadline:
			t.Fatalf("the screen did not show %q in time:\n%q", text, s.String())
		}
	}
}

// wait waits for the program to end and returns its exit status and the
// whole screen.
func (s *screen) wait(t *testing.T) (int, string) {
	t.Helper()
	s.cmd.Wait()
	select {
	case <-s.done:
	case <-time.After(harness.Scaled(10 * time.Second)):
		t.Fatal("the terminal was still open after the check ended")
	}
	return s.cmd.ProcessState.ExitCode(), s.String()
}

// decorations are what plain output never holds: the status symbols, "…",
// and escape sequences for colour and redrawing.
var decorations = []string{"\x1b", "✓", "✗", "·", "…"}

// TestCheckCommandOnATerminal checks that the check decorates its output
// on a real terminal: colours, symbols, and a line that says what runs and
// is replaced by the result. stderr's "building stage 1…" is replaced too.
func TestCheckCommandOnATerminal(t *testing.T) {
	t.Parallel()
	s := onTerminal(t, []string{"TERM=xterm-256color", "NO_COLOR="}, "-solutions", "-run", "M1", "1")
	code, out := s.wait(t)
	if code != 0 {
		t.Errorf("exit status %d, want 0:\n%q", code, out)
	}
	for _, want := range []string{
		"building stage 1…", // on stderr, while go build runs,
		"\r\x1b[K",          // then removed
		"\x1b[33m…\x1b[0m Milestone 1: listens and accepts a client", // while it runs
		"\x1b[32m✓\x1b[0m Milestone 1",                               // and its result in its place
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the terminal does not show %q:\n%q", want, out)
		}
	}
}

// TestCheckCommandPlain checks that the check writes plain text, with no
// symbol and no escape sequence, wherever it is asked to or its output is
// not a terminal.
func TestCheckCommandPlain(t *testing.T) {
	t.Parallel()
	args := []string{"-solutions", "-run", "M1", "1"}
	for _, env := range [][]string{{"TERM=xterm-256color", "NO_COLOR=1"}, {"TERM=dumb", "NO_COLOR="}} {
		s := onTerminal(t, env, args...)
		code, out := s.wait(t)
		checkPlain(t, "on a terminal with "+strings.Join(env, " "), code, out)
	}
	// A pipe, such as "go run ./tests/cmd/check | less".
	r := checkIn(t, root, []string{"TERM=xterm-256color", "NO_COLOR="}, args...)
	checkPlain(t, "into a pipe", r.code, r.stdout+r.stderr)
	if !strings.HasPrefix(r.stderr, "building stage 1...\n") {
		t.Errorf("into a pipe, stderr does not say what is being built:\n%s", r.stderr)
	}
}

func checkPlain(t *testing.T, where string, code int, out string) {
	t.Helper()
	if code != 0 || !strings.Contains(out, "PASS Milestone 1") {
		t.Errorf("%s: exit status %d, want 0 and PASS Milestone 1:\n%q", where, code, out)
	}
	for _, d := range decorations {
		if strings.Contains(out, d) {
			t.Errorf("%s: the output holds %q:\n%q", where, d, out)
		}
	}
}

// TestCheckCommandWatchClearsATerminal checks that -watch clears the
// screen before each run on a terminal, and stops on Ctrl-C with status
// 130. (TestCheckCommandWatchRerunsOnSave shows it plain elsewhere.)
func TestCheckCommandWatchClearsATerminal(t *testing.T) {
	t.Parallel()
	s := onTerminal(t, []string{"TERM=xterm-256color", "NO_COLOR="}, "-watch", "-solutions", "-run", "M1", "1")
	s.waitFor(t, "Watching for changes")
	s.cmd.Process.Signal(syscall.SIGINT)
	code, out := s.wait(t)
	if code != 130 {
		t.Errorf("after Ctrl-C, exit status %d, want 130:\n%q", code, out)
	}
	if !strings.HasPrefix(out, "\x1b[H\x1b[2J") {
		t.Errorf("the screen was not cleared before the run:\n%q", out)
	}
}

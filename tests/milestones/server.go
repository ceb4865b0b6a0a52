package milestones

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"workbook/tests/harness"
)

// A Server is a server program under test, listening on Port.
type Server struct {
	*harness.Process
	Port int
}

// Addr returns the address clients connect to.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// StartServer starts the program as a server on a free port, with args, and
// waits for its first line, which must be the listening line. step is the
// Step that prints it.
func (t *T) StartServer(step int, args ...string) *Server {
	return t.StartServerWith(harness.Options{Args: args}, step, "")
}

// StartServerWith is StartServer with harness options, such as a wrapper
// command. silent, if not empty, is the hint for a server that prints
// nothing at all.
func (t *T) StartServerWith(opt harness.Options, step int, silent string) *Server {
	return t.startServer(t.prog.Bin, opt, step, silent, ListeningLine)
}

// StartServerSaying is StartServerWith for a server whose listening line
// is listening(port) rather than ListeningLine(port), such as the proxy's,
// which names its upstream too.
func (t *T) StartServerSaying(opt harness.Options, step int, silent string, listening func(port int) string) *Server {
	return t.startServer(t.prog.Bin, opt, step, silent, listening)
}

// StartOtherServer is StartServer for bin, a server that takes part in the
// check besides the program under test; see StartOther.
func (t *T) StartOtherServer(bin string, step int, args ...string) *Server {
	return t.startServer(bin, harness.Options{Args: args, Name: filepath.Base(bin)}, step, "", ListeningLine)
}

func (t *T) startServer(bin string, opt harness.Options, step int, silent string, listening func(port int) string) *Server {
	t.prepare(bin, &opt)
	var first string
	p, port, err := harness.StartServer(bin, opt,
		func(p *harness.Process, port int) error {
			var err error
			first, err = p.NextLine(waitOutput)
			return err
		})
	if p != nil {
		t.started(p)
	}
	want := listening(port)
	if err != nil {
		if p == nil {
			t.Failf("could not start the program: %v", err)
		}
		if silent != "" && errors.Is(err, harness.ErrTimeout) && len(p.Output(harness.Stdout)) == 0 {
			t.Fail(Failure{
				Summary: fmt.Sprintf("the server printed nothing within %v, and is still running", harness.Scaled(waitOutput)),
				Want:    want,
				Step:    step,
				Hint:    silent,
			})
		}
		t.failWaiting(p, err, want, step)
	}
	if first != want {
		t.Fail(Failure{
			Summary: "the first line printed should say which port the server listens on",
			Want:    want,
			Got:     first,
			Step:    step,
			Hint:    lineHint(want, first),
		})
	}
	return &Server{Process: p, Port: port}
}

// Dial connects a new client to srv. The server has printed its listening
// line, so it must accept connections now: step is the Step that listens.
func (t *T) Dial(srv *Server, step int) *harness.Conn {
	c, err := t.tryDial(srv, t.nextClient())
	if err != nil {
		t.failDial(srv, err, step)
	}
	return c
}

// tryDial connects a new client, called name, to srv, or returns why it
// could not.
func (t *T) tryDial(srv *Server, name harness.Who) (*harness.Conn, error) {
	c, err := harness.Dial(srv.Addr(), name, t.tr)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.Close() })
	return c, nil
}

// failDial fails a check whose client could not connect to srv (err).
func (t *T) failDial(srv *Server, err error, step int) {
	// A skeleton whose next Step is not done exits at its todo() right
	// after the listening line, and exiting closes the listening socket:
	// then the refusal comes from the [TODO], not from a mistake in
	// listening. An ended program is noticed at once, so this wait only
	// runs out when the program is still running.
	srv.WaitExit(time.Second)
	if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
		// The check's own socket(2) failed: not the program's doing.
		t.Fail(Failure{
			Summary: fmt.Sprintf("the check itself could not open a socket for a client (%v): "+
				"it may have %d descriptors open, and this check needs more. That is a limit of this machine, not a mistake in your program",
				err, harness.DescriptorLimit()),
			Hint: "Raise the limit on open files in your shell (ulimit -n 4096, or as high as ulimit -Hn allows), then run the check again.",
			Step: NoStep,
		})
	}
	summary := fmt.Sprintf("could not connect to %s after the server said it was listening: %v", srv.Addr(), err)
	hint := "After its listening line the server must already be listening: call listen(2) before printing that line."
	if errors.Is(err, syscall.ECONNREFUSED) {
		hint = "Connection refused means nothing listens on that port: check the port you bind (SockaddrInet4.Port) " +
			"and that listen(2) is called before the listening line is printed."
	}
	if exit := srv.Exited(); exit != nil {
		// The server had listened; it ended meanwhile, and its end is
		// the cause to name.
		summary = fmt.Sprintf("could not connect to %s: the server had ended (%v)", srv.Addr(), exit)
		hint = exitHint(srv.Process)
	}
	t.Fail(Failure{
		Summary: summary,
		Step:    step,
		Hint:    hint,
	})
}

package harness

import (
	"errors"
	"net"
	"strconv"
	"strings"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
// Another process may take it before the program under test binds it;
// StartServer retries when that happens.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// freePort is FreePort, replaceable by the harness's own tests to simulate
// a port taken by someone else.
var freePort = FreePort

// StartServer starts a server program on a free port. It passes
// "-port N" after opt.Args, then calls ready, which should wait until the
// server serves (for example, for its listening line). If the server ends
// because its port was taken in between, StartServer tries again on another
// port, a few times. It returns the running process and its port.
func StartServer(bin string, opt Options, ready func(p *Process, port int) error) (*Process, int, error) {
	const attempts = 5
	var lastErr error
	for range attempts {
		port, err := freePort()
		if err != nil {
			return nil, 0, err
		}
		o := opt
		o.Args = append(append([]string(nil), opt.Args...), "-port", strconv.Itoa(port))
		p, err := Start(bin, o)
		if err != nil {
			return nil, 0, err
		}
		err = ready(p, port)
		if err == nil {
			return p, port, nil
		}
		if !portTaken(p, err) {
			return p, port, err
		}
		opt.Transcript.Notef("port %d was taken by someone else meanwhile; trying another", port)
		p.Stop()
		lastErr = err
	}
	return nil, 0, lastErr
}

// portTaken reports whether p ended because its address was in use.
func portTaken(p *Process, err error) bool {
	var exited *ExitedError
	if !errors.As(err, &exited) {
		return false
	}
	for _, l := range p.Output(Stderr) {
		if strings.Contains(l, "address already in use") {
			return true
		}
	}
	return false
}

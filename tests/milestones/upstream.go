package milestones

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"workbook/tests/harness"
)

// The check as the server that a program under test connects to on its own
// (a proxy's upstream). Either the check plays it by hand, accepting each
// connection and driving it byte by byte (an upstream), or a real server
// runs in the check's own process and answers every connection by itself:
// a line reverser, or Go's net/http serving files.

// An upstream is a listener that the check controls, and the connections
// the program under test makes to it, each taken with accept.
type upstream struct {
	*harness.Listener
	t        *T
	accepted int
}

// listenUpstream opens an upstream on a free loopback port, closed when
// the check ends.
func (t *T) listenUpstream() *upstream {
	return t.upstreamOn(harness.Listen)
}

// upstreamOn opens an upstream with open, such as harness.ListenHanging.
func (t *T) upstreamOn(open func(*harness.Transcript) (*harness.Listener, error)) *upstream {
	l, err := open(t.tr)
	if err != nil {
		t.Failf("could not open a listening socket for the upstream: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	t.Notef("the check plays the upstream, on %s", l.Addr())
	return &upstream{Listener: l, t: t}
}

// accept takes the next connection the program made to u, and names it
// "upstream N". When none comes, the check fails with hint, naming step.
func (u *upstream) accept(step int, hint string) *harness.Conn {
	u.accepted++
	c, err := u.Accept(waitReply, harness.Who(fmt.Sprintf("upstream %d", u.accepted)))
	if err != nil {
		for _, p := range u.t.programs() {
			if exit := p.Exited(); exit != nil {
				u.t.Fail(Failure{
					Summary: fmt.Sprintf("no connection reached the upstream (%s): the program had ended (%v)", u.Addr(), exit),
					Step:    step,
					Hint:    exitHint(p),
				})
			}
		}
		u.t.Fail(Failure{
			Summary: fmt.Sprintf("no connection reached the upstream (%s) within %v", u.Addr(), harness.Scaled(waitReply)),
			Want:    fmt.Sprintf("connection %d to the upstream", u.accepted),
			Step:    step,
			Hint:    hint,
		})
	}
	u.t.Cleanup(func() { c.Close() })
	return c
}

// A reverser is a server in the check's own process that answers every
// connection as the workbook's servers do: each line with the line
// reversed (protocol.go), and an unfinished line at end of file with
// that part reversed.
type reverser struct {
	*harness.Listener
	accepted atomic.Int64 // connections so far
	open     atomic.Int64 // connections open now
}

// lineReverser starts a reverser on a free loopback port. It stops when
// the check ends.
func (t *T) lineReverser() *reverser {
	l, err := harness.Listen(t.tr)
	if err != nil {
		t.Failf("could not open a listening socket for the upstream: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	t.Notef("the upstream, on %s, answers each line with the line reversed", l.Addr())
	r := &reverser{Listener: l}
	go func() {
		for {
			// No deadline worth the name: closing the listener ends the wait.
			c, err := l.Accept(24*time.Hour, harness.Who(fmt.Sprintf("upstream %d", r.accepted.Load()+1)))
			if err != nil {
				return
			}
			r.accepted.Add(1)
			r.open.Add(1)
			go r.serve(c)
		}
	}()
	return r
}

func (r *reverser) serve(c *harness.Conn) {
	defer r.open.Add(-1)
	defer c.Close()
	for {
		line, err := c.ReadLine(24 * time.Hour)
		if line != "" && c.Send(reply(line)) != nil {
			return
		}
		if err != nil {
			return
		}
	}
}

// A fileServer is Go's net/http serving files from memory, as an upstream,
// in the check's own process.
type fileServer struct {
	addr    string
	sending *sender      // counts the bytes written to every connection so far
	asked   atomic.Int64 // the sizes of the files asked for so far, added up
}

// serveFiles starts a fileServer on a free loopback port with files, by
// path ("/big.txt"). It stops when the check ends.
func (t *T) serveFiles(files map[string][]byte) *fileServer {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Failf("could not open a listening socket for the upstream: %v", err)
	}
	fs := &fileServer{addr: ln.Addr().String(), sending: &sender{}}
	mux := http.NewServeMux()
	for path, body := range files {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			fs.sending.Starts()
			defer fs.sending.Finishes()
			fs.asked.Add(int64(len(body)))
			http.ServeContent(w, r, path, time.Time{}, bytes.NewReader(body))
		})
		t.Notef("the upstream, on %s, is an HTTP server (Go's net/http) with %s, %d bytes", fs.addr, path, len(body))
	}
	srv := &http.Server{Handler: mux, ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(countingListener{ln, fs.sending})
	t.Cleanup(func() { srv.Close() })
	return fs
}

// A countingListener counts what is written to the connections it
// accepts, and how long each write takes, in s.
type countingListener struct {
	net.Listener
	s *sender
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	return countingConn{c, l.s}, err
}

type countingConn struct {
	net.Conn
	s *sender
}

func (c countingConn) Write(b []byte) (int, error) {
	c.s.Begin()
	n, err := c.Conn.Write(b)
	c.s.End(n)
	return n, err
}

// allTaken reports whether the program, still connected to fs, has taken
// every byte that fs has sent, and fs has sent every file asked for: the
// server's sockets wait for no acknowledgement, and the program's sockets
// to it hold nothing unread (sock_diag(7)).
func (fs *fileServer) allTaken() bool {
	if asked := fs.asked.Load(); asked == 0 || fs.sending.Sent() < asked {
		return false
	}
	addr, err := netip.ParseAddrPort(fs.addr)
	if err != nil {
		return false
	}
	socks, err := harness.TCPSocketsIn(harness.TCPEstablished)
	if err != nil {
		return false
	}
	connected := false
	for _, s := range socks {
		if s.Local == addr && s.SendQueue > 0 || s.Remote == addr && s.RecvQueue > 0 {
			return false
		}
		connected = connected || s.Remote == addr
	}
	return connected
}

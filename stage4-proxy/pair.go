//go:build linux

package main

import (
	"golang.org/x/sys/unix"
)

// A pair is what the proxy keeps for one client: the client's connection,
// the connection the proxy opened to the upstream for it, and the bytes on
// their way between the two, one flow in each direction.
type pair struct {
	client, upstream side
	toUpstream       flow // what the client sends, on its way to the upstream
	toClient         flow // what the upstream sends, on its way to the client
	connecting       bool // the upstream connection is not up yet
}

// A side is one of a pair's two connections.
type side struct {
	fd     int
	events uint32 // what epoll watches fd for
	hungUp bool   // epoll has reported EPOLLHUP on fd: see watch
	parked bool   // fd is out of the interest list for now: see watch
}

// startPair gives a client that has just been accepted its pair: a socket
// of its own to the upstream, both sockets watched, and the upstream
// connection on its way.
func (s *proxy) startPair(client int) {
	// TODO(step 2): open the upstream socket with unix.Socket: AF_INET,
	// SOCK_STREAM, and the flags SOCK_NONBLOCK and SOCK_CLOEXEC. If that
	// fails (EMFILE: no descriptor left for the pair's second socket),
	// close the client and print one [WARN] line. Otherwise make the pair
	// with s.addPair (if that fails, print a [WARN] line), print
	// "[INFO] Client connected to proxy" with s.log.detail, and start the
	// connection with connectUpstream(up, s.upstream); if that fails,
	// s.cannotConnect.
	todo(2)
}

// addPair makes client and upstream, two open sockets, a pair: both go in
// the interest list and in the table, and the pair is counted. The upstream
// socket is taken to be connecting. If epoll cannot watch them, addPair
// closes both and returns the error.
func (s *proxy) addPair(client, upstream int) (*pair, error) {
	// TODO(step 2): add client to the interest list for no events (0), and
	// upstream for unix.EPOLLOUT. If either fails, undo: take client out
	// again if it was added, close both, and return the error. Then make
	// the pair: both sides with their descriptor and the events they are
	// watched for, and connecting set. Grow s.pairs until both descriptors
	// are valid indexes, put the pair at both, add one to s.count, and
	// return the pair.
	todo(2)
	return nil, nil
}

// closePair closes both of p's connections and forgets p.
func (s *proxy) closePair(p *pair) {
	// TODO(step 7): for each of p's two sides, in this order: take its
	// descriptor out of the interest list (s.poll.remove), close it
	// (unix.Close), and set its place in s.pairs to nil. Then give each
	// flow's pending buffer, if it has one, back with s.pool.put, and set
	// it to nil. Take one from s.count.
	todo(7)
}

// finish ends p, whose two directions are done, or one of whose
// connections failed: it closes both and prints the disconnect line.
func (s *proxy) finish(p *pair) {
	s.closePair(p)
	s.log.detailf("[INFO] Client disconnected (sent %d bytes, received %d bytes)", p.toUpstream.written, p.toClient.written)
}

// resetOnClose is the SO_LINGER setting under which close(2) resets the
// connection instead of ending it in order: linger on, for no time at
// all. See socket(7).
var resetOnClose = unix.Linger{Onoff: 1, Linger: 0}

// abort ends p at once, because one of its connections failed: reset by
// its peer, most often. The bytes on their way can no longer arrive. The
// other connection is reset as well, rather than closed in order: closed
// in order, its peer would read an ordinary end of file, and could take
// the cut-off stream for a whole one (an HTTP/1.0 response, say, which
// ends where the connection ends).
func (s *proxy) abort(p *pair) {
	unix.SetsockoptLinger(p.client.fd, unix.SOL_SOCKET, unix.SO_LINGER, &resetOnClose)
	unix.SetsockoptLinger(p.upstream.fd, unix.SOL_SOCKET, unix.SO_LINGER, &resetOnClose)
	s.finish(p)
}

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
	// The pair's second descriptor. Non-blocking like every socket of the
	// loop, so that connect(2) on it returns at once.
	up, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		// Most often EMFILE: accept(2) got the client a descriptor, but it
		// was the last one the process may have, and a pair needs two.
		// Closing the client keeps the loop from spinning: it was taken
		// out of the queue, so the listening socket is not readable for
		// its sake any more.
		unix.Close(client)
		s.log.printf("[WARN] Cannot open a socket for the upstream (%v); refusing a client", err)
		return
	}
	p, err := s.addPair(client, up)
	if err != nil {
		s.log.printf("[WARN] Cannot watch a new client (%v); refusing it", err)
		return
	}
	s.log.detail("[INFO] Client connected to proxy")
	if err := connectUpstream(up, s.upstream); err != nil {
		s.cannotConnect(p, err)
	}
}

// addPair makes client and upstream, two open sockets, a pair: both go in
// the interest list and in the table, and the pair is counted. The upstream
// socket is taken to be connecting. If epoll cannot watch them, addPair
// closes both and returns the error.
func (s *proxy) addPair(client, upstream int) (*pair, error) {
	// While the upstream connects, the client is watched for nothing. What
	// it sends meanwhile waits in its socket's receive buffer, which is
	// where the kernel keeps it anyway: bounded by the buffer's size, after
	// which TCP holds the client back. epoll reports EPOLLERR and EPOLLHUP
	// even when not asked, so a client that leaves meanwhile is noticed.
	if err := s.poll.add(client, 0); err != nil {
		unix.Close(client)
		unix.Close(upstream)
		return nil, err
	}
	// EPOLLOUT on a connecting socket means that the connect has finished,
	// well or badly: finishConnect finds out which.
	if err := s.poll.add(upstream, unix.EPOLLOUT); err != nil {
		s.poll.remove(client)
		unix.Close(client)
		unix.Close(upstream)
		return nil, err
	}
	p := &pair{
		client:     side{fd: client},
		upstream:   side{fd: upstream, events: unix.EPOLLOUT},
		connecting: true,
	}
	for max(client, upstream) >= len(s.pairs) {
		s.pairs = append(s.pairs, nil)
	}
	// The same pair at both numbers: an event on either socket finds it.
	s.pairs[client] = p
	s.pairs[upstream] = p
	s.count++
	return p, nil
}

// closePair closes both of p's connections and forgets p.
func (s *proxy) closePair(p *pair) {
	for _, x := range [...]*side{&p.client, &p.upstream} {
		// Remove first, close second, as in Stage 3: once closed, the
		// number means nothing, or soon another socket. (A parked side is
		// out of the interest list already; remove then fails with ENOENT,
		// which does no harm.) Then nil in the table: an event about this
		// pair still waiting in this round is stale, and is skipped.
		s.poll.remove(x.fd)
		unix.Close(x.fd)
		s.pairs[x.fd] = nil
	}
	// Bytes still waiting will never be delivered; their buffers go back.
	for _, f := range [...]*flow{&p.toUpstream, &p.toClient} {
		if f.pending != nil {
			s.pool.put(f.pending)
			f.pending = nil
		}
	}
	s.count--
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

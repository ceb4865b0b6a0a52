//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/unix"
)

// BenchmarkRequest measures what one request costs the event loop, and
// above all whether it allocates: run it with
//
//	go test -bench Request -benchmem ./stage3-epoll
//
// Once the server has served its first requests, allocs/op must be 0. A
// request that allocates makes work for the garbage collector, and that
// work grows with the load.
//
// One operation is one round of the loop for one client: the client sends
// depth lines of 32 characters, epoll_wait reports its socket, handle
// reads, frames, reverses and writes, and the client reads the replies and
// checks them. So ns/op includes the client's two system calls too. The
// client is the other end of a socketpair(2), not a TCP connection: this
// measures the server's code, and the kernel's TCP work is left to the load
// test (see "C10K" in README.md).
//
// It calls the functions you write in the Steps (newPoller, addClient,
// wait, handle and what handle calls), so on an unfinished skeleton it
// stops at the first [TODO], as the server would; go test runs benchmarks
// only when -bench asks for them. Once your server passes the milestones,
// run it on yours: allocs/op says whether your request path allocates.
func BenchmarkRequest(b *testing.B) {
	for _, depth := range []int{1, 16} {
		b.Run(fmt.Sprintf("depth=%d", depth), func(b *testing.B) {
			benchmarkRequest(b, depth)
		})
	}
}

func benchmarkRequest(b *testing.B, depth int) {
	// A server with the -quiet logger (as in the load test) and no
	// listening socket: the one client is given to addClient directly.
	poll, err := newPoller()
	if err != nil {
		b.Fatal(err)
	}
	defer unix.Close(poll.fd)
	s := &server{
		cfg:  config{maxLine: 65536, maxClients: 1},
		log:  &logger{w: bufio.NewWriter(io.Discard), quiet: true},
		poll: poll,
		ln:   -1,
		wake: -1,
		buf:  make([]byte, readSize),
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	serverEnd, clientEnd := fds[0], fds[1]
	defer unix.Close(clientEnd)
	s.addClient(serverEnd)
	defer func() {
		if c := s.clients[serverEnd]; c != nil {
			s.drop(c)
		}
	}()

	// depth lines of random printable ASCII, and the replies they need.
	var request, want []byte
	for range depth {
		line := make([]byte, 32)
		for i := range line {
			line[i] = byte(' ' + rand.IntN('~'-' '+1))
		}
		request = append(request, line...)
		request = append(request, '\n')
		want = appendReversed(want, append(line, '\n'))
	}
	reply := make([]byte, len(want))

	round := func() {
		if _, err := unix.Write(clientEnd, request); err != nil {
			b.Fatal(err)
		}
		events, err := s.poll.wait()
		if err != nil {
			b.Fatal(err)
		}
		for _, ev := range events {
			if _, err := s.handle(ev); err != nil {
				b.Fatal(err)
			}
		}
		// handle wrote the replies before it returned, so they are
		// waiting; a read that finds nothing means they were not sent.
		got := 0
		for got < len(reply) {
			n, err := unix.Read(clientEnd, reply[got:])
			if err != nil || n == 0 {
				b.Fatalf("after %d of %d bytes of replies: read: %d, %v", got, len(reply), n, err)
			}
			got += n
		}
		if !bytes.Equal(reply, want) {
			b.Fatalf("replies %q, want %q", reply, want)
		}
	}

	// The first rounds grow the client's buffers to the size they keep;
	// the steady state is what comes after.
	for range 10 {
		round()
	}
	b.ReportAllocs()
	b.ResetTimer()
	rounds := 0
	for b.Loop() {
		round()
		rounds++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rounds*depth), "ns/line")
}

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

// BenchmarkRelay measures what a chunk of bytes costs the event loop on its
// way through the proxy, and above all whether it allocates: run it with
//
//	go test -bench Relay -benchmem ./stage4-proxy
//
// Once a pair has relayed its first chunks, allocs/op must be 0. A chunk
// that allocates makes work for the garbage collector, and that work grows
// with the traffic.
//
// One operation is one chunk each way: the client sends it, a round of the
// loop relays it to the upstream, which reads it and sends it back, and
// another round relays it to the client, which reads it and checks it. So
// ns/op includes the two ends' own system calls too. The ends are
// socketpair(2)s rather than TCP connections: this measures the proxy's
// code, and leaves the kernel's TCP work to the load tools.
//
// In the last case the upstream's socket has the smallest send buffer the
// kernel allows, so no chunk fits in one write: the rest of each waits in a
// buffer from the pool until EPOLLOUT, and the client is paused meanwhile.
// That is the path of back-pressure, and it too must not allocate: the
// buffers come from the pool and go back to it.
//
// It calls the functions you write in the Steps (addPair, then everything
// that round calls), so on an unfinished skeleton it stops at the first
// [TODO], as the proxy would; go test runs benchmarks only when -bench asks
// for them. Once your proxy passes the milestones, run it on yours:
// allocs/op says whether your relay allocates.
func BenchmarkRelay(b *testing.B) {
	for _, size := range []int{64, 16 << 10} {
		b.Run(fmt.Sprintf("chunk=%d", size), func(b *testing.B) {
			benchmarkRelay(b, size, false)
		})
	}
	b.Run(fmt.Sprintf("chunk=%d/slow-upstream", chunkSize), func(b *testing.B) {
		benchmarkRelay(b, chunkSize, true)
	})
}

func benchmarkRelay(b *testing.B, size int, slow bool) {
	// A proxy with the -quiet logger (as in the load tests) and no
	// listening socket: the pair is given to addPair directly.
	poll, err := newPoller()
	if err != nil {
		b.Fatal(err)
	}
	defer poll.close()
	s := &proxy{
		cfg:  config{maxClients: 1},
		log:  &logger{w: bufio.NewWriter(io.Discard), quiet: true},
		poll: poll,
		ln:   -1,
		wake: -1,
		buf:  make([]byte, chunkSize),
	}
	// Each end of the pair is one end of a socketpair; the other end plays
	// the program on that side.
	clientApp, clientEnd := socketpair(b)
	defer unix.Close(clientApp)
	upstreamEnd, upstreamApp := socketpair(b)
	defer unix.Close(upstreamApp)
	if slow {
		// The kernel raises a send buffer this small to its minimum, a
		// few KiB.
		if err := unix.SetsockoptInt(upstreamEnd, unix.SOL_SOCKET, unix.SO_SNDBUF, 1); err != nil {
			b.Fatal(err)
		}
	}
	p, err := s.addPair(clientEnd, upstreamEnd) // it closes them on error
	if err != nil {
		b.Fatal(err)
	}
	defer s.closePair(p)
	// A socketpair is connected from the start: the first round finds the
	// upstream end writable and its SO_ERROR 0, and the pair is up.
	turn(b, s)
	if p.connecting {
		b.Fatal("after a round, the pair is still connecting")
	}

	chunk := make([]byte, size)
	for i := range chunk {
		chunk[i] = byte(rand.IntN(256))
	}
	got := make([]byte, size)
	relayed := func(from, to int) {
		if n, err := unix.Write(from, chunk); n != size || err != nil {
			b.Fatalf("write: %d of %d bytes, %v", n, size, err)
		}
		// Rounds of the loop until the whole chunk has come out at the
		// other end: one round, unless the receiver is slow.
		for n := 0; n < size; {
			turn(b, s)
			m, err := unix.Read(to, got[n:])
			switch {
			case err == unix.EAGAIN:
			case err != nil || m == 0:
				b.Fatalf("after %d of %d bytes: read: %d, %v", n, size, m, err)
			default:
				n += m
			}
		}
		if !bytes.Equal(got, chunk) {
			b.Fatal("the bytes that came out are not the bytes that went in")
		}
	}
	round := func() {
		relayed(clientApp, upstreamApp)
		relayed(upstreamApp, clientApp)
	}

	// The first rounds fill the pool; the steady state is what comes after.
	for range 10 {
		round()
	}
	b.SetBytes(int64(2 * size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		round()
	}
}

// turn runs one round of the event loop: one wait, and its events.
func turn(b *testing.B, s *proxy) {
	events, err := s.poll.wait()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.round(events); err != nil {
		b.Fatal(err)
	}
}

// socketpair returns the two ends of a new connected pair of sockets, both
// non-blocking.
func socketpair(b *testing.B) (int, int) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	return fds[0], fds[1]
}

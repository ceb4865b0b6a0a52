package main

// chunkSize is the most that one read takes from a socket, and the size of
// every buffer in the pool.
const chunkSize = 64 << 10

// maxFree is how many returned buffers the pool keeps for reuse.
const maxFree = 32

// A bufferPool lends out the buffers in which bytes wait for the side that
// cannot take them yet.
//
// Most bytes never need one. The proxy reads into one buffer that every
// pair shares and writes what it read to the other side at once, and the
// other side's socket almost always takes all of it. Only what it does not
// take is copied into a buffer of its own, and that buffer comes back as
// soon as the last of those bytes is written. So an idle pair holds no
// buffer at all, and a busy pair holds at most one per direction while its
// receiver is slow.
//
// Returned buffers are kept, up to maxFree of them, and lent out again, so
// a steady flow of bytes allocates nothing. Past maxFree (after a burst of
// many slow receivers at once) they are left to the garbage collector.
type bufferPool struct {
	free [][]byte
}

// get returns an empty buffer with room for chunkSize bytes.
func (p *bufferPool) get() []byte {
	n := len(p.free)
	if n == 0 {
		return make([]byte, 0, chunkSize)
	}
	b := p.free[n-1]
	p.free[n-1] = nil // the pool no longer holds it
	p.free = p.free[:n-1]
	return b
}

// put takes back a buffer that get lent out. The caller must not use it
// any more.
func (p *bufferPool) put(b []byte) {
	if len(p.free) < maxFree {
		p.free = append(p.free, b[:0])
	}
}

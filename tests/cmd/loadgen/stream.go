package main

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"sync"
)

// This file defines the bytes of a bulk transfer, which both ends of it
// (the client in the bulk modes, and -serve) make and check.

// blockSize is the length of a stream's blocks.
const blockSize = 64 << 10

// A stream is the bytes of one bulk transfer, named by a seed that the
// client chooses at random for each transfer. It is a sequence of blocks
// of blockSize bytes: each is the same random block (every byte value
// appears in it), except its first 8 bytes, which hold seed XOR the
// block's number, little-endian. So a check of any byte at any offset is
// cheap, a byte changed, lost or repeated anywhere shifts or breaks what
// follows, and a block from another transfer, or from elsewhere in the
// same one, has the wrong number.
type stream struct {
	seed uint64
}

// block is the random block every stream repeats, the same in every run of
// loadgen: a client and a bulk server in separate processes agree on it.
var block = sync.OnceValue(func() []byte {
	rng := rand.New(rand.NewPCG(0x6c6f6164, 0x67656e)) // fixed seeds
	b := make([]byte, blockSize)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
})

// headerSize is the length of a block's number at its start.
const headerSize = 8

// segment returns what the stream holds from off to the end of that
// block, at most n bytes: the block's header, whose first bytes are before
// off when off is not at a block's start, and the rest, which comes from
// the random block. head is the number of header bytes in the segment.
func (s stream) segment(off int64, n int) (header [headerSize]byte, head int, rest []byte) {
	i := int(off % blockSize)
	n = min(n, blockSize-i)
	binary.LittleEndian.PutUint64(header[:], s.seed^uint64(off/blockSize))
	head = min(max(headerSize-i, 0), n)
	if head > 0 {
		copy(header[:], header[i:i+head]) // the header bytes from off on
	}
	return header, head, block()[i+head : i+n]
}

// fill writes the stream's bytes from offset off into b.
func (s stream) fill(b []byte, off int64) {
	for len(b) > 0 {
		header, head, rest := s.segment(off, len(b))
		copy(b, header[:head])
		copy(b[head:], rest)
		n := head + len(rest)
		b, off = b[n:], off+int64(n)
	}
}

// mismatch compares b with the stream's bytes from offset off. It returns
// the index in b of the first byte that differs, and the byte the stream
// has there; or -1 when b is right.
func (s stream) mismatch(b []byte, off int64) (int, byte) {
	done := 0
	for done < len(b) {
		header, head, rest := s.segment(off+int64(done), len(b)-done)
		got := b[done : done+head+len(rest)]
		if !bytes.Equal(got[:head], header[:head]) || !bytes.Equal(got[head:], rest) {
			want := append(header[:head:head], rest...)
			for i := range got {
				if got[i] != want[i] {
					return done + i, want[i]
				}
			}
		}
		done += len(got)
	}
	return -1, 0
}

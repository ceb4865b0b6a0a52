package main

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestStreamFillAndMismatch checks that the two ends of a transfer agree:
// what fill writes from any offset, in pieces of any length, is one
// stream, which mismatch finds right, and in which it finds every changed
// byte, at its index.
func TestStreamFillAndMismatch(t *testing.T) {
	s := stream{seed: 0x0123456789abcdef}
	const size = 3*blockSize + 100
	whole := make([]byte, size)
	s.fill(whole, 0)
	for k := range int64(3) {
		if got := whole[k*blockSize : k*blockSize+headerSize]; got[0] != byte(s.seed^uint64(k)) {
			t.Errorf("block %d starts with %x, want its number XOR the seed", k, got)
		}
	}

	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		off := rng.Int64N(size)
		n := 1 + rng.IntN(int(size-off))
		piece := make([]byte, n)
		s.fill(piece, off)
		if !bytes.Equal(piece, whole[off:off+int64(n)]) {
			t.Fatalf("fill at %d for %d bytes differs from the whole stream there", off, n)
		}
		if i, _ := s.mismatch(piece, off); i != -1 {
			t.Fatalf("mismatch at %d for %d bytes: %d, want -1", off, n, i)
		}
		j := rng.IntN(n)
		piece[j] ^= byte(1 + rng.IntN(255))
		if i, want := s.mismatch(piece, off); i != j || want != whole[off+int64(j)] {
			t.Fatalf("byte %d of a piece at %d changed: mismatch says %d (want byte %#02x), want %d (%#02x)", j, off, i, want, j, whole[off+int64(j)])
		}
	}
	if other := (stream{seed: s.seed + 1}); bytes.Equal(whole[:headerSize], func() []byte {
		b := make([]byte, headerSize)
		other.fill(b, 0)
		return b
	}()) {
		t.Error("two seeds give the same first block")
	}
}

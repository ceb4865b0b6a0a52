package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
)

// A linePool holds the requests a run sends, each with the one reply that
// is right for it. Every connection walks the same pool from its own
// starting point, so the bytes it sends differ from request to request and
// from its neighbours', and checking a reply costs one comparison.
type linePool struct {
	reqs  [][]byte // a line of random printable ASCII, then "\n"
	wants [][]byte // that line reversed, then "\n"
}

// poolBytes bounds the memory a pool takes: few lines when they are long.
const poolBytes = 1 << 20

// newLinePool returns a pool of lines of size bytes each (without "\n").
// The lines are printable ASCII, one byte per character, so the right
// reply is the line's bytes in reverse order, by the protocol's rules.
func newLinePool(rng *rand.Rand, size int) *linePool {
	n := min(max(poolBytes/(size+1), 16), 1024)
	p := &linePool{reqs: make([][]byte, n), wants: make([][]byte, n)}
	for i := range n {
		req := make([]byte, size+1)
		want := make([]byte, size+1)
		for j := range size {
			c := byte(' ' + rng.IntN('~'-' '+1)) // ' ' to '~'
			req[j], want[size-1-j] = c, c
		}
		req[size], want[size] = '\n', '\n'
		p.reqs[i], p.wants[i] = req, want
	}
	return p
}

// len returns how many lines the pool holds.
func (p *linePool) len() int { return len(p.reqs) }

// preview returns b quoted for an error message, cut short when long.
func preview(b []byte) string {
	const most = 48
	if len(b) <= most {
		return strconv.Quote(string(b))
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(string(b[:most])), len(b))
}

package main

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Bucket layout of a histogram. Below 2·sub nanoseconds every value has a
// bucket of its own; above, each power of two is cut into sub buckets, so a
// bucket is never wider than 1/sub of the values in it. Its midpoint is then
// within 1/(2·sub), under 1%, of any value it counts.
const (
	subBits  = 6
	sub      = 1 << subBits
	maxBits  = 40                            // values are capped at 2^40 ns, about 18 minutes
	nBuckets = (maxBits - subBits + 1) * sub // the last bucket is bucket(1<<maxBits - 1)
)

// A histogram counts latencies, for percentiles. Recording is one atomic
// add, so every connection can record into one histogram at once without a
// lock, and the whole histogram takes a few kilobytes however many values
// it counts.
type histogram struct {
	counts [nBuckets]atomic.Uint64
	total  atomic.Int64
	max    atomic.Int64 // nanoseconds
}

// record counts d and returns how many values have been counted so far.
func (h *histogram) record(d time.Duration) int64 {
	v := min(max(int64(d), 0), 1<<maxBits-1)
	h.counts[bucket(uint64(v))].Add(1)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			break
		}
	}
	return h.total.Add(1)
}

// count returns how many values have been counted.
func (h *histogram) count() int64 { return h.total.Load() }

// maximum returns the largest value counted, exactly.
func (h *histogram) maximum() time.Duration { return time.Duration(h.max.Load()) }

// quantile returns the value below which a fraction q of the values fall
// (q = 0.99 gives the 99th percentile), as the midpoint of its bucket, or 0
// when nothing was counted. Call it once recording has stopped.
func (h *histogram) quantile(q float64) time.Duration {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(q*float64(n))), 1)
	var seen int64
	for i := range h.counts {
		seen += int64(h.counts[i].Load())
		if seen >= rank {
			lo, width := bucketRange(i)
			return min(time.Duration(lo+width/2), h.maximum())
		}
	}
	return h.maximum()
}

// bucket returns the index of the bucket that counts v.
func bucket(v uint64) int {
	if v < 2*sub {
		return int(v)
	}
	shift := bits.Len64(v) - (subBits + 1) // v>>shift is in [sub, 2·sub)
	return shift*sub + int(v>>shift)
}

// bucketRange returns the smallest value bucket i counts and how many
// values it spans.
func bucketRange(i int) (lo, width uint64) {
	if i < 2*sub {
		return uint64(i), 1
	}
	shift := i/sub - 1
	top := uint64(i - shift*sub)
	return top << shift, 1 << shift
}

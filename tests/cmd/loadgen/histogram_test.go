package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsCoverEveryValue(t *testing.T) {
	prev := -1
	for _, v := range []uint64{0, 1, 127, 128, 129, 255, 256, 1000, 1 << 20, 1<<20 + 12345, 1<<maxBits - 1} {
		i := bucket(v)
		if i < prev || i >= nBuckets {
			t.Fatalf("bucket(%d) = %d: out of order or out of range (%d buckets)", v, i, nBuckets)
		}
		prev = i
		lo, width := bucketRange(i)
		if v < lo || v >= lo+width {
			t.Errorf("bucket(%d) = %d covers [%d, %d), which misses it", v, i, lo, lo+width)
		}
		if v >= 2*sub && float64(width)/float64(lo) > 1.0/sub {
			t.Errorf("bucket %d is %d wide at %d: wider than 1/%d of its values", i, width, lo, sub)
		}
	}
	// Adjacent buckets meet: no gaps, no overlaps.
	for i := 1; i < nBuckets; i++ {
		lo, _ := bucketRange(i)
		plo, pw := bucketRange(i - 1)
		if plo+pw != lo {
			t.Fatalf("bucket %d ends at %d but bucket %d starts at %d", i-1, plo+pw, i, lo)
		}
	}
}

func TestQuantiles(t *testing.T) {
	var h histogram
	if h.quantile(0.5) != 0 || h.count() != 0 {
		t.Fatal("an empty histogram should give 0")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var values []time.Duration
	for range 100_000 {
		d := time.Duration(rng.ExpFloat64() * float64(100*time.Microsecond))
		values = append(values, d)
		h.record(d)
	}
	slices.Sort(values)
	for _, q := range []float64{0.5, 0.9, 0.99} {
		exact := values[int(q*float64(len(values)))-1]
		got := h.quantile(q)
		if diff := float64(got-exact) / float64(exact); diff > 0.01 || diff < -0.01 {
			t.Errorf("quantile(%v) = %v, exactly %v: more than 1%% off", q, got, exact)
		}
	}
	if h.maximum() != values[len(values)-1] || h.count() != int64(len(values)) {
		t.Errorf("maximum %v and count %d, want %v and %d", h.maximum(), h.count(), values[len(values)-1], len(values))
	}
}

func TestRecordClamps(t *testing.T) {
	var h histogram
	h.record(-time.Second)
	h.record(time.Hour)
	if h.count() != 2 || h.quantile(0) != 0 || h.maximum() != 1<<maxBits-1 {
		t.Errorf("count %d, min %v, max %v: negative values count as 0 and huge ones as the cap", h.count(), h.quantile(0), h.maximum())
	}
}

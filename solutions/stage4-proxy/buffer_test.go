package main

import "testing"

func TestBufferPoolLendsEmptyBuffers(t *testing.T) {
	var p bufferPool
	b := p.get()
	if len(b) != 0 || cap(b) != chunkSize {
		t.Fatalf("get() = len %d, cap %d; want len 0, cap %d", len(b), cap(b), chunkSize)
	}
	b = append(b, "some bytes"...)
	p.put(b)
	again := p.get()
	if len(again) != 0 {
		t.Errorf("get() after put = len %d; want 0", len(again))
	}
	if &again[:1][0] != &b[0] {
		t.Error("get() after put made a new buffer; want the one put back")
	}
}

func TestBufferPoolKeepsAtMostMaxFree(t *testing.T) {
	var p bufferPool
	lent := make([][]byte, maxFree+5)
	for i := range lent {
		lent[i] = p.get()
	}
	for _, b := range lent {
		p.put(b)
	}
	if len(p.free) != maxFree {
		t.Errorf("after %d buffers came back, the pool keeps %d; want %d", len(lent), len(p.free), maxFree)
	}
}

func TestBufferPoolGetAllocatesNothingOnceFilled(t *testing.T) {
	var p bufferPool
	p.put(p.get())
	allocs := testing.AllocsPerRun(100, func() {
		p.put(p.get())
	})
	if allocs != 0 {
		t.Errorf("get and put allocate %v times; want 0", allocs)
	}
}

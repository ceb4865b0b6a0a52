package milestones

import (
	"sync"

	"workbook/tests/harness"
)

// A Limit bounds how many checks may be in a busy part at once: sending or
// reading megabytes, or opening a thousand connections, which keeps a CPU
// busy. Tests that run many checks at once give them one Limit (through
// Program.Busy), so that those parts take turns, and none is slowed down
// past its deadlines or its quiet windows by the others. Waiting, which is
// most of what a check against a wrong program does, is not busy. A nil
// Limit limits nothing.
type Limit chan struct{}

// NewLimit returns a Limit of n busy parts at once.
func NewLimit(n int) Limit { return make(Limit, n) }

// Take waits for a turn, and returns the function that ends it.
func (l Limit) Take() (release func()) {
	if l == nil {
		return func() {}
	}
	l <- struct{}{}
	return func() { <-l }
}

// Busy waits for a turn to keep a CPU busy (see Limit), and returns the
// function that ends it. A check calls it before a busy part and the
// function after it, before it waits for anything that may never come.
// (A check that fails in its busy part ends it too.) The function may be
// called more than once, from any goroutine.
func (t *T) Busy() (done func()) {
	release := t.prog.Busy.Take()
	var once sync.Once
	end := func() { once.Do(release) }
	t.Cleanup(end)
	return end
}

// Descriptors reserves n of the test process's own descriptors for the
// check until it ends (see harness.ReserveDescriptors), waiting, if need
// be, for checks running beside it to give theirs back. A check that opens
// hundreds of connections at once calls it first, before Busy: it may wait
// here, and must not hold a turn meanwhile.
func (t *T) Descriptors(n int) {
	t.Cleanup(harness.ReserveDescriptors(n))
}

package harness

import (
	"sync"
	"syscall"
)

// The checks of one test run share one process, and so one limit on the
// descriptors it may have open (RLIMIT_NOFILE, "ulimit -n"; Go raises the
// soft limit to the hard one as it starts). A check that opens a thousand
// connections at once holds a thousand of them, two thousand when it also
// plays the upstream of a proxy. Run side by side, as the gallery runs
// them, such checks would together pass the limit, and a dial of the
// check's own would fail with EMFILE: a failure that says nothing about the
// program under test. So those checks reserve their descriptors first, and
// wait for each other's.

// descriptorShare is the part of the limit that reservations may take
// together: the rest is for everything else a test run holds open (the
// programs' pipes, listening sockets, builds, the small checks).
const descriptorShare = 2 // one half

var descriptors = struct {
	sync.Mutex
	cond  *sync.Cond
	total int // what may be reserved at once; 0 until first asked
	taken int
}{}

// ReserveDescriptors waits until n of this process's descriptors are free
// to reserve, reserves them, and returns the function that gives them
// back. A request for more than may be reserved at all takes all of it, so
// that it waits only for the others and then runs, on its own, as far as
// the limit lets it.
func ReserveDescriptors(n int) (release func()) {
	d := &descriptors
	d.Lock()
	defer d.Unlock()
	if d.cond == nil {
		d.cond = sync.NewCond(&d.Mutex)
		d.total = DescriptorLimit() / descriptorShare
	}
	n = min(n, d.total)
	for d.taken+n > d.total {
		d.cond.Wait()
	}
	d.taken += n
	var once sync.Once
	return func() {
		once.Do(func() {
			d.Lock()
			d.taken -= n
			d.Unlock()
			d.cond.Broadcast()
		})
	}
}

// DescriptorLimit returns how many descriptors this process may have open:
// its soft limit (at most a million, for a limit of "unlimited"), or 1,024
// if the limit cannot be read.
func DescriptorLimit() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 1024
	}
	return int(min(lim.Cur, 1<<20))
}

package milestones

import (
	"fmt"
	"math/rand/v2"

	"workbook/tests/harness"
)

// Stage 4's challenges about the bytes relayed: every byte value, and 100
// MB each way to a side that pauses, with the proxy's memory bounded.

func s4Binary(t *T) {
	up := t.listenUpstream()
	srv := startProxy(t, up.Addr())
	c, u := pairUp(t, srv, up, 1)
	// Every byte value, 256 times over, in an order that puts each next to
	// every other, zero and newline included.
	b := make([]byte, 0, 256*256)
	for i := range 256 {
		for j := range 256 {
			b = append(b, byte(i+j))
		}
	}
	rand.New(rand.NewPCG(4, 4)).Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
	data := "\x00" + string(b)
	t.Notef("the client sends %d bytes with every value from 0 to 255, the first a zero; the upstream sends them back in reverse", len(data))
	relayed(t, c, u, data, s4Relay)
	back := []byte(data)
	for i, j := 0, len(back)-1; i < j; i, j = i+1, j-1 {
		back[i], back[j] = back[j], back[i]
	}
	relayed(t, u, c, string(back), s4Relay)
	c.Close()
	expectEnd(t, u, "", fmt.Sprintf("after %s closed its connection, ", c.Name()))
	u.Close()
	expectPairGone(t, srv, 1, int64(len(data)), int64(len(data)), s4HalfClose, "")
}

// bigTransfer is how much the download and upload checks move: far more
// than every buffer on the way, so that a proxy that reads without bound
// shows in its memory.
const bigTransfer = 100_000_000

// memoryBound is how much a proxy's resident memory may grow while it
// relays bigTransfer bytes to a side that does not read: a few of its
// buffers, with plenty to spare, and far below what it moves.
const memoryBound = 16 << 20

func s4Download(t *T) {
	up := t.listenUpstream()
	srv := startProxy(t, up.Addr())
	c, u := pairUp(t, srv, up, 1)
	t.Notef("the upstream sends %d bytes, then closes; %s reads nothing for now", bigTransfer, c.Name())
	bigPaused(t, srv, u, c, u.Close)
	expectEnd(t, c, "", "after every byte, ")
	c.Close()
	expectPairGone(t, srv, 1, 0, bigTransfer, s4Pressure, "")
}

func s4Upload(t *T) {
	up := t.listenUpstream()
	srv := startProxy(t, up.Addr())
	c, u := pairUp(t, srv, up, 1)
	t.Notef("the client sends %d bytes, then closes its sending side; %s reads nothing for now", bigTransfer, u.Name())
	bigPaused(t, srv, c, u, c.CloseWrite)
	expectEnd(t, u, "", "after every byte, ")
	u.Close()
	expectEnd(t, c, "", fmt.Sprintf("after %s closed its connection, ", u.Name()))
	expectPairGone(t, srv, 1, bigTransfer, 0, s4Pressure, "")
}

// bigPaused has from send bigTransfer bytes, then call then, to to,
// which reads nothing until the proxy has stopped taking them (its memory
// bounded meanwhile), and then reads them all.
func bigPaused(t *T, srv *Server, from, to *harness.Conn, then func() error) {
	done := t.Busy()
	s := sendStream(from, bigTransfer, 1<<20, then)
	pausedTransfer(t, srv, s, to.Name())
	done()
	t.Notef("%s now reads", to.Name())
	failStream(t, readStream(t, to, 0, bigTransfer, 1<<20), to.Name(), bigTransfer, s4Pressure,
		"The bytes that had to wait must all be written once the receiver reads again: "+
			"ask for EPOLLOUT on it while they wait, and write them in drain.")
}

// pausedTransfer waits until s, sending bigTransfer bytes through srv to
// paused, a side that does not read, is stuck or done, and fails if the
// proxy's memory grew by memoryBound or more meanwhile.
func pausedTransfer(t *T, srv *Server, s *sender, paused harness.Who) {
	before, err := harness.ResidentMemory(srv.Pid())
	if err != nil {
		t.Failf("could not read the proxy's memory use: %v", err)
	}
	t.Notef("the proxy's resident memory (VmRSS): %d KiB", before>>10)
	sent := s.waitStuck(t, srv.Pid())
	after, err := harness.ResidentMemory(srv.Pid())
	if err != nil {
		t.Failf("could not read the proxy's memory use: %v", err)
	}
	t.Notef("%d bytes sent; the proxy's resident memory (VmRSS): %d KiB", sent, after>>10)
	if after-before >= memoryBound {
		t.Fail(Failure{
			Summary: fmt.Sprintf("while %s did not read, %d bytes were sent through the proxy, and its memory grew by %d MiB", paused, sent, (after-before)>>20),
			Want:    fmt.Sprintf("VmRSS growing by less than %d MiB", memoryBound>>20),
			Got:     fmt.Sprintf("VmRSS from %d MiB to %d MiB", before>>20, after>>20),
			Step:    s4Pressure,
			Hint: "While bytes wait for the receiver, stop reading from the sender: exchange reads only while out.pending is empty, " +
				"and interest asks for EPOLLIN only then. The sender's bytes then wait in the kernel, and TCP slows it down.",
		})
	}
}

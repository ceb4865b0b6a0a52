package milestones

import (
	"fmt"
	"strconv"
	"time"

	"workbook/tests/harness"
)

// A stream is a long run of text for the checks that move megabytes
// through a program and must find every byte where it belongs. It is made
// of 64-byte lines, each starting with its own number, so that a byte
// lost, doubled or moved shows where, and a piece of it can be made at any
// offset: 100 MB never sits in memory whole, on either side.

const streamLine = 64

// streamFiller is what follows each line's number, twice over, so that a
// line can take its part of it with one copy.
const streamFiller = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" +
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// streamAt returns n bytes of the stream, from offset off on. Line k is
// its number k, a space, the filler from position k on, and a newline.
func streamAt(off, n int64) []byte {
	first := off / streamLine
	skip := off - first*streamLine
	lines := (skip + n + streamLine - 1) / streamLine
	b := make([]byte, lines*streamLine)
	for i := range lines {
		k := first + i
		line := b[i*streamLine : (i+1)*streamLine]
		digits := strconv.AppendInt(line[:0], k, 10)
		line[len(digits)] = ' '
		from := int(k % int64(len(streamFiller)/2))
		copy(line[len(digits)+1:streamLine-1], streamFiller[from:])
		line[streamLine-1] = '\n'
	}
	return b[skip : skip+n]
}

// sendStream sends the first size bytes of the stream on c from a
// goroutine of its own, in pieces of chunk bytes, then calls then (if
// not nil).
func sendStream(c *harness.Conn, size int64, chunk int, then func() error) *sender {
	s := &sender{done: make(chan struct{})}
	s.Starts()
	go func() {
		defer close(s.done)
		defer s.Finishes()
		for off := int64(0); off < size; off += int64(chunk) {
			n := min(int64(chunk), size-off)
			if s.err = s.Send(c, string(streamAt(off, n))); s.err != nil {
				return
			}
		}
		if then != nil {
			s.err = then()
		}
	}()
	return s
}

// A streamRead is what readStream found.
type streamRead struct {
	got  int64  // bytes that arrived as they should, from the start
	want string // where they differ: the bytes expected from got on
	diff string // and what came instead
	err  error  // what ended the read early, if anything did
}

// readStream reads the stream from c, from offset from up to offset to,
// piece bytes at a time, and compares them as they come. It stops at the
// first difference or error. got counts from the start of the stream.
// Like readAll, it is a busy part of the check while the bytes flow.
func readStream(t *T, c *harness.Conn, from, to int64, piece int) streamRead {
	r := streamRead{got: from}
	for r.got < to {
		n := min(int64(piece), to-r.got)
		done := t.Busy()
		waiting := time.AfterFunc(quietWindow, done)
		got, err := c.ReadFull(int(n), waitReply)
		waiting.Stop()
		done()
		want := streamAt(r.got, int64(len(got)))
		if got != string(want) {
			i := firstDiff(got, string(want))
			r.got += int64(i)
			r.want = string(want[i:min(i+100, len(want))])
			r.diff = got[i:min(i+100, len(got))]
			return r
		}
		r.got += int64(len(got))
		if err != nil {
			r.err = err
			return r
		}
	}
	return r
}

// failStream fails a check whose readStream of size bytes by who found r,
// naming step, with hint for bytes that stopped coming.
func failStream(t *T, r streamRead, who harness.Who, size int64, step int, hint string) {
	if r.diff != "" {
		t.Fail(Failure{
			Summary: fmt.Sprintf("%s got the first %d bytes right, then different bytes: relayed bytes must arrive unchanged and in order", who, r.got),
			Want:    r.want,
			Got:     r.diff,
			Step:    step,
		})
	}
	if r.err != nil {
		t.Fail(Failure{
			Summary: fmt.Sprintf("%s got %d of the %d bytes, then %s", who, r.got, size, errOrEOF(r.err)),
			Step:    step,
			Hint:    hint,
		})
	}
}

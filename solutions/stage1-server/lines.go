package main

import "bytes"

// lineBuffer turns a stream of bytes into lines.
//
// TCP delivers bytes, not messages: one read(2) may return half a line, or
// three lines and the start of a fourth. write takes whatever a read
// returned, and next hands back one complete line at a time, so the rest of
// the server never has to care how the bytes were split.
//
// It copies as little as it can. The lines that next hands out are slices of
// the very bytes given to write, found where they are. Only an unfinished
// line at the end of them is copied, into the buffer's own storage (kept),
// so that it survives the caller's next read into the same buffer. A client
// whose lines arrive whole, as they usually do, never needs that storage:
// an idle one holds nothing here but the empty buffer itself.
type lineBuffer struct {
	unread []byte // received and not yet handed out: the bytes last written, or kept
	kept   []byte // storage for an unfinished line, reused from one line to the next
	max    int    // the longest line content accepted
}

func newLineBuffer(maxLine int) *lineBuffer {
	return &lineBuffer{max: maxLine}
}

// write adds bytes received from the stream. It does not copy p: the lines
// that next hands out are slices of p, so p must not change until next has
// reported that no line is left.
func (b *lineBuffer) write(p []byte) {
	if len(b.unread) == 0 {
		b.unread = p // nothing left over: find the lines in p itself
		return
	}
	// An unfinished line is left over, and p continues it: put p after it,
	// in b's own storage.
	b.keep()
	b.kept = append(b.kept, p...)
	b.unread = b.kept
}

// next returns the next complete line, terminator included. ok is false when
// no complete line is left, or when the next line is longer than the limit
// (tooLong tells which). The line is only valid until the next write.
func (b *lineBuffer) next() (line []byte, ok bool) {
	// bytes.IndexByte looks at many bytes per instruction (it is written
	// in assembly), so on a busy server it finds the '\n' several times
	// faster than a loop that looks at one byte at a time.
	i := bytes.IndexByte(b.unread, '\n')
	if i < 0 || len(content(b.unread[:i+1])) > b.max {
		b.keep()
		return nil, false
	}
	// Hand out the line by moving past it: no byte is copied.
	line, b.unread = b.unread[:i+1], b.unread[i+1:]
	return line, true
}

// keep moves what is left unread into b's own storage, because the caller
// will soon reuse the buffer it came in. That is one copy per write, of an
// unfinished line (usually short, often nothing), and none per line.
func (b *lineBuffer) keep() {
	switch {
	case len(b.unread) == 0:
		b.unread = nil // nothing to keep, and nothing of the caller's to hold on to
	case len(b.kept) > 0 && &b.unread[0] == &b.kept[0]:
		// Kept already, at the front: a long line, still arriving.
	default:
		b.kept = append(b.kept[:0], b.unread...)
		b.unread = b.kept
	}
}

// tooLong reports whether the next line is already longer than the limit,
// finished or not. A server should give up on such a client instead of
// buffering without end.
func (b *lineBuffer) tooLong() bool {
	rest := b.unread
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		return len(content(rest[:i+1])) > b.max
	}
	// No terminator yet. A final '\r' may still become part of "\r\n".
	n := len(rest)
	if n > 0 && rest[n-1] == '\r' {
		n--
	}
	return n > b.max
}

// rest returns the unterminated bytes left over, for when the stream ends.
func (b *lineBuffer) rest() []byte {
	return b.unread
}

// content returns line without its terminator, "\n" or "\r\n".
func content(line []byte) []byte {
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
		if n > 0 && line[n-1] == '\r' {
			n--
		}
	}
	return line[:n]
}

package main

import "bytes"

// lineBuffer turns a stream of bytes into lines.
//
// TCP delivers bytes, not messages: one read(2) may return half a line, or
// three lines and the start of a fourth. write appends whatever a read
// returned, and next hands back one complete line at a time, so the rest of
// the server never has to care how the bytes were split.
type lineBuffer struct {
	buf []byte // bytes received and not yet handed out, from off on
	off int    // where the next line starts in buf
	max int    // the longest line content accepted
}

func newLineBuffer(maxLine int) *lineBuffer {
	return &lineBuffer{max: maxLine}
}

// write adds bytes received from the stream.
func (b *lineBuffer) write(p []byte) {
	// next skips the lines it hands out by moving off, not by moving bytes.
	// Only here, once per write, does the unread tail (an unfinished line,
	// usually short or none) move to the front. Moving it after every line
	// instead would copy what is left of a read once for each line in it.
	if b.off > 0 {
		b.buf = b.buf[:copy(b.buf, b.buf[b.off:])]
		b.off = 0
	}
	b.buf = append(b.buf, p...)
}

// next returns the next complete line, terminator included. ok is false when
// no complete line is buffered, or when the next line is longer than the
// limit (tooLong tells which). The line is only valid until the next write.
func (b *lineBuffer) next() (line []byte, ok bool) {
	rest := b.buf[b.off:]
	// bytes.IndexByte looks at many bytes per instruction (it is written
	// in assembly), so on a busy server it finds the '\n' several times
	// faster than a loop that looks at one byte at a time.
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		return nil, false // no complete line yet
	}
	line = rest[:i+1]
	if len(content(line)) > b.max {
		return nil, false
	}
	b.off += i + 1
	return line, true
}

// tooLong reports whether the next line is already longer than the limit,
// finished or not. A server should give up on such a client instead of
// buffering without end.
func (b *lineBuffer) tooLong() bool {
	rest := b.buf[b.off:]
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
	return b.buf[b.off:]
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

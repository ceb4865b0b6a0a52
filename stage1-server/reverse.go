package main

import (
	"encoding/binary"
	"slices"
	"unicode/utf8"
)

// appendReversed appends line to dst with its content reversed and its
// terminator ("\n", "\r\n" or none) kept at the end, and returns the result:
// "abc\r\n" gives "cba\r\n".
//
// Reversal is by character (rune), not by byte, so "héllo" gives "olléh" and
// valid UTF-8 stays valid. A byte that is not valid UTF-8 moves as a unit of
// its own. The reply is written straight into dst, back to front, without a
// temporary copy.
func appendReversed(dst, line []byte) []byte {
	text := content(line)
	n := len(text)
	start := len(dst)
	dst = slices.Grow(dst, len(line))[:start+len(line)]
	copy(dst[start+n:], line[n:]) // the terminator, unchanged
	out := dst[start : start+n]
	for i := 0; i < n; {
		// ASCII, the common case, is one byte per character, and eight of
		// them fit in a 64-bit word. Read eight bytes as a little-endian
		// word (the first byte is the lowest) and store the word
		// big-endian (the lowest byte goes last): that puts them in
		// reverse order, with one load and one store instead of eight of
		// each. It is right only if all eight are ASCII: if no byte has its
		// top bit (0x80) set.
		if i+8 <= n {
			if w := binary.LittleEndian.Uint64(text[i:]); w&0x8080808080808080 == 0 {
				binary.BigEndian.PutUint64(out[n-i-8:], w)
				i += 8
				continue
			}
		}
		// One ASCII byte: store it directly. Only a multi-byte rune is
		// moved with copy, which calls memmove; a copy for every character
		// makes the reversal of a short ASCII line about three times
		// slower.
		if c := text[i]; c < utf8.RuneSelf {
			out[n-1-i] = c
			i++
			continue
		}
		_, size := utf8.DecodeRune(text[i:])
		copy(out[n-i-size:n-i], text[i:i+size])
		i += size
	}
	return dst
}

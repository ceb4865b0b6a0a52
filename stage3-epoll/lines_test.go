package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// feed writes chunks to a lineBuffer and collects every complete line. Like
// a server, it reads every chunk into the same buffer, and overwrites that
// buffer once the lines are taken: what the lineBuffer still needs, it must
// have kept.
func feed(b *lineBuffer, chunks ...string) []string {
	var got []string
	buf := make([]byte, 64)
	for _, c := range chunks {
		buf = append(buf[:0], c...)
		b.write(buf)
		for {
			line, ok := b.next()
			if !ok {
				break
			}
			got = append(got, string(line))
		}
		for i := range buf {
			buf[i] = '#' // the next read
		}
	}
	return got
}

func TestLineBufferSplitsAndJoins(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
		want   []string
		rest   string
	}{
		{"one line", []string{"abc\n"}, []string{"abc\n"}, ""},
		{"two lines in one read", []string{"abc\ndef\n"}, []string{"abc\n", "def\n"}, ""},
		{"a line in three reads", []string{"a", "b", "c\n"}, []string{"abc\n"}, ""},
		{"crlf split between reads", []string{"abc\r", "\n"}, []string{"abc\r\n"}, ""},
		{"empty lines", []string{"\n\r\n\n"}, []string{"\n", "\r\n", "\n"}, ""},
		{"a partial line left over", []string{"abc\nde"}, []string{"abc\n"}, "de"},
		{"NUL and binary bytes", []string{"a\x00\xff\n"}, []string{"a\x00\xff\n"}, ""},
		{"a lone CR is content", []string{"a\rb\n"}, []string{"a\rb\n"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newLineBuffer(100)
			got := feed(b, tt.chunks...)
			if !slices.Equal(got, tt.want) {
				t.Errorf("lines = %q, want %q", got, tt.want)
			}
			if rest := string(b.rest()); rest != tt.rest {
				t.Errorf("rest = %q, want %q", rest, tt.rest)
			}
		})
	}
}

func TestLineBufferLimit(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		tooLong bool
	}{
		{"exactly the limit", "abcd\n", false},
		{"exactly the limit with CRLF", "abcd\r\n", false},
		{"one over the limit", "abcde\n", true},
		{"unterminated at the limit", "abcd", false},
		{"unterminated at the limit with a CR", "abcd\r", false},
		{"unterminated over the limit", "abcde", true},
		{"a CR does not hide a long line", "abcde\r", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newLineBuffer(4)
			got := feed(b, tt.input)
			if b.tooLong() != tt.tooLong {
				t.Errorf("tooLong() = %v, want %v", b.tooLong(), tt.tooLong)
			}
			if tt.tooLong && len(got) != 0 {
				t.Errorf("next() handed out %q from a line over the limit", got)
			}
		})
	}
}

func TestLineBufferLongLineAfterGoodOnes(t *testing.T) {
	b := newLineBuffer(3)
	got := feed(b, "ab\nabcdef\nxy\n")
	if want := []string{"ab\n"}; !slices.Equal(got, want) {
		t.Errorf("lines = %q, want %q: lines before the long one are answered", got, want)
	}
	if !b.tooLong() {
		t.Error("tooLong() = false after a line over the limit")
	}
}

func TestLineBufferCopiesOnlyUnfinishedLines(t *testing.T) {
	b := newLineBuffer(100)
	p := []byte("abc\ndef\n")
	b.write(p)
	line, ok := b.next()
	if !ok || &line[0] != &p[0] {
		t.Errorf("next() = %q, %v: want the first line, as a slice of what was written", line, ok)
	}
	b.next()
	if _, ok := b.next(); ok || b.kept != nil || b.unread != nil {
		t.Errorf("after every line was taken, the buffer holds unread %q and kept %q; want nothing", b.unread, b.kept)
	}
	// Lines that arrive whole leave nothing behind, so an idle client's
	// buffer holds no storage.
	got := feed(b, "abc\nd", "ef\n", "gh\n")
	if want := []string{"abc\n", "def\n", "gh\n"}; !slices.Equal(got, want) {
		t.Errorf("lines = %q, want %q", got, want)
	}
	if cap(b.kept) == 0 {
		t.Errorf("kept has no storage after an unfinished line: it must have been kept somewhere")
	}
	if b.unread != nil {
		t.Errorf("unread = %q after every line was taken; want nil, holding none of the caller's buffer", b.unread)
	}
}

// FuzzLineBuffer checks that, however a stream is split into reads, the lines
// that come out are the stream's own lines and nothing is lost.
func FuzzLineBuffer(f *testing.F) {
	f.Add("abc\ndef\n", uint8(1))
	f.Add("abc\r\ndef", uint8(3))
	f.Add("\n\n\r\n", uint8(2))
	f.Add("h\xc3\xa9llo\x00\n", uint8(5))
	f.Fuzz(func(t *testing.T, stream string, step uint8) {
		size := int(step%16) + 1
		b := newLineBuffer(len(stream) + 1)
		var chunks []string
		for s := stream; len(s) > 0; {
			n := min(size, len(s))
			chunks = append(chunks, s[:n])
			s = s[n:]
		}
		got := strings.Join(feed(b, chunks...), "") + string(b.rest())
		if got != stream {
			t.Fatalf("lines joined = %q, want the stream %q", got, stream)
		}
		if bytes.Contains(b.rest(), []byte("\n")) {
			t.Fatalf("rest %q still holds a complete line", b.rest())
		}
	})
}

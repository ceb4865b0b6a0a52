package main

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAppendReversed(t *testing.T) {
	tests := []struct{ line, want string }{
		{"abcd\n", "dcba\n"},
		{"abc\r\n", "cba\r\n"},
		{"\n", "\n"},
		{"\r\n", "\r\n"},
		{"abc", "cba"},
		{"", ""},
		{"h\u00e9llo\n", "oll\u00e9h\n"},
		{"\u65e5\u672c\u8a9e\n", "\u8a9e\u672c\u65e5\n"},
		{"a\U0001F600b\n", "b\U0001F600a\n"},
		{"a\x00b\n", "b\x00a\n"},
		{"a\xffb\n", "b\xffa\n"},       // an invalid byte moves as one unit
		{"\xe2\x82x\n", "x\x82\xe2\n"}, // a cut-off sequence too, byte by byte
		{"a\rb\n", "b\ra\n"},           // a lone CR is content
		// Eight ASCII bytes at a time, then one at a time, around what is
		// not ASCII.
		{"abcdefghijklmnopqrstu\n", "utsrqponmlkjihgfedcba\n"},
		{"abcdefgh\u00e9ijklmnop\r\n", "ponmlkji\u00e9hgfedcba\r\n"},
		{"0123456789\xff01234567", "76543210\xff9876543210"},
		{"abcdefg\U0001F600hijklmnopq\n", "qponmlkjih\U0001F600gfedcba\n"},
	}
	for _, tt := range tests {
		if got := string(appendReversed(nil, []byte(tt.line))); got != tt.want {
			t.Errorf("appendReversed(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestAppendReversedKeepsDst(t *testing.T) {
	dst := []byte("xy")
	got := appendReversed(dst, []byte("abc\n"))
	if string(got) != "xycba\n" {
		t.Errorf("appendReversed(%q, %q) = %q, want %q", "xy", "abc\n", got, "xycba\n")
	}
}

func FuzzAppendReversed(f *testing.F) {
	f.Add("abcd\n")
	f.Add("abc\r\n")
	f.Add("h\u00e9llo")
	f.Add("\xff\xfe\x00\n")
	f.Add("\xe2\x82\xac\xe2\x82\n")
	f.Add("abcdefgh\u00e9ijklmnopqrstuvwxyz\n")
	f.Fuzz(func(t *testing.T, line string) {
		if i := strings.IndexByte(line, '\n'); i >= 0 && i < len(line)-1 {
			t.Skip("not one line: a newline before the end")
		}
		got := appendReversed(nil, []byte(line))
		if len(got) != len(line) {
			t.Fatalf("len = %d, want %d", len(got), len(line))
		}
		text := content([]byte(line))
		if !bytes.Equal(got[len(text):], []byte(line)[len(text):]) {
			t.Fatalf("terminator of %q changed: got %q", line, got)
		}
		if utf8.Valid(text) {
			if !utf8.Valid(got) {
				t.Fatalf("reversing valid UTF-8 %q gave invalid %q", line, got)
			}
			// Twice gives the content back. (Not always the whole line: a
			// content that starts with '\r' ends with it once reversed, and
			// that '\r' then reads as part of a "\r\n" terminator.)
			once := appendReversed(nil, text)
			if twice := appendReversed(nil, once); !bytes.Equal(twice, text) {
				t.Fatalf("reversing %q twice gave %q", text, twice)
			}
		}
	})
}

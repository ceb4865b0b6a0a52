package main

import (
	"strconv"
	"testing"
	"unicode/utf8"
)

func TestPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", "hello"},
		{"", ""},
		{"two words", "two words"},
		{"h\u00e9llo \u65e5\u672c", "h\u00e9llo \u65e5\u672c"},
		{`say "hi"`, `say "hi"`},
		{"a\x1b[2Jb", `a\x1b[2Jb`},
		{"tab\there", `tab\there`},
		{"nul\x00", `nul\x00`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"cr\r", `cr\r`},
		{"zero\u200bwidth", `zero\u200bwidth`},
		{"\ufffd", "\ufffd"}, // a real replacement character is printable
	}
	for _, tt := range tests {
		if got := printable([]byte(tt.in)); got != tt.want {
			t.Errorf("printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzPrintable(f *testing.F) {
	f.Add("hello")
	f.Add("a\x1b[2Jb")
	f.Add("\xff\xfe")
	f.Add("\u200b")
	f.Fuzz(func(t *testing.T, in string) {
		got := printable([]byte(in))
		if !utf8.ValidString(got) {
			t.Fatalf("printable(%q) = %q is not valid UTF-8", in, got)
		}
		for _, r := range got {
			if !strconv.IsPrint(r) {
				t.Fatalf("printable(%q) = %q holds unprintable %U", in, got, r)
			}
		}
		if got != in {
			if back, err := strconv.Unquote(`"` + got + `"`); err != nil || back != in {
				t.Fatalf("printable(%q) = %q does not unquote back (%q, %v)", in, got, back, err)
			}
		}
	})
}

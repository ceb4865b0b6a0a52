package main

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

func TestAppendReply(t *testing.T) {
	tests := []struct{ line, want string }{
		{"abcd\n", "dcba\n"},
		{"abc\r\n", "cba\r\n"},
		{"\n", "\n"},
		{"abc", "cba"},
		{"a\rb\n", "b\ra\n"},
		{"h\u00e9llo\n", "oll\u00e9h\n"},
		{"a\U0001F600b\r\n", "b\U0001F600a\r\n"},
		{"a\x00b\xffc\n", "c\xffb\x00a\n"},
		{"\xe2\x82x\n", "x\x82\xe2\n"},       // a cut-off sequence moves byte by byte
		{"\xc3\xa9\xa9\n", "\xa9\xc3\xa9\n"}, // a stray continuation byte after é
	}
	for _, tt := range tests {
		if got := string(appendReply(nil, []byte(tt.line))); got != tt.want {
			t.Errorf("appendReply(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

// FuzzAppendReply checks the back-to-front reversal against a front-to-back
// one: both must cut the text into the same characters.
func FuzzAppendReply(f *testing.F) {
	f.Add("h\u00e9llo\r\n")
	f.Add("\xe2\x82\xac\xe2\x82\n")
	f.Add("\xf0\x9f\x98\xc3\xa9\xa9")
	f.Fuzz(func(t *testing.T, line string) {
		text := string(content([]byte(line)))
		var units []string
		for i := 0; i < len(text); {
			_, size := utf8.DecodeRuneInString(text[i:])
			units = append([]string{text[i : i+size]}, units...)
			i += size
		}
		want := strings.Join(units, "") + line[len(text):]
		if got := string(appendReply(nil, []byte(line))); got != want {
			t.Fatalf("appendReply(%q) = %q, want %q", line, got, want)
		}
	})
}

// readAll reads lines until an error and returns them with that error.
func readAll(r *bufio.Reader, maxLine int) ([]string, error) {
	var lines []string
	var long []byte
	for {
		line, err := readLine(r, maxLine, &long)
		if len(line) > 0 {
			lines = append(lines, string(line))
		}
		if err != nil {
			return lines, err
		}
	}
}

func TestReadLine(t *testing.T) {
	big := strings.Repeat("x", 10000)
	tests := []struct {
		name    string
		input   string
		maxLine int
		want    []string
		err     error
	}{
		{"lines and a partial one", "ab\r\n\ncd\nef", 100, []string{"ab\r\n", "\n", "cd\n", "ef"}, io.EOF},
		{"a line longer than the buffer", big + "\nok\n", 10000, []string{big + "\n", "ok\n"}, io.EOF},
		{"at the limit with CRLF", "abcd\r\n", 4, []string{"abcd\r\n"}, io.EOF},
		{"one over the limit", "ab\nabcde\nxy\n", 4, []string{"ab\n"}, errTooLong},
		{"unterminated over the limit", "ab\n" + big, 9999, []string{"ab\n"}, errTooLong},
		{"a partial CR at the end is content", "abcd\r", 4, []string{"abcd\r"}, io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// One byte per read, the hardest way for the stream to arrive.
			r := bufio.NewReader(iotest.OneByteReader(strings.NewReader(tt.input)))
			got, err := readAll(r, tt.maxLine)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || !errors.Is(err, tt.err) {
				t.Errorf("lines %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestReadLineBrokenConnection(t *testing.T) {
	broken := errors.New("connection reset by peer")
	r := bufio.NewReader(io.MultiReader(strings.NewReader("abc\nhalf a li"), iotest.ErrReader(broken)))
	got, err := readAll(r, 100)
	if len(got) != 1 || got[0] != "abc\n" || !errors.Is(err, broken) {
		t.Errorf("lines %q, %v; want only \"abc\\n\" (a partial line is not answered when the connection breaks) and the error", got, err)
	}
}

func TestPrintable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello world", "hello world"},
		{"h\u00e9llo", "h\u00e9llo"},
		{"a\x1b[2Jb", `a\x1b[2Jb`},
		{"nul\x00", `nul\x00`},
		{"bad\xff", `bad\xff`},
		{"zero\u200bwidth", `zero\u200bwidth`},
	}
	for _, tt := range tests {
		if got := printable([]byte(tt.in)); got != tt.want {
			t.Errorf("printable(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

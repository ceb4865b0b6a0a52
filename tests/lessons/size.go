package lessons

import "strings"

// OutsideFolds returns how many bytes of the lesson are outside its
// <details> folds: what a reader meets without opening anything. It counts
// as this one-line command does, from the repository root:
//
//	awk '/<details>/{f=1} !f{n+=length($0)+1} /<\/details>/{f=0} END{print n}' stage1-server/README.md
//
// (a line that opens or closes a fold counts as inside it; bytes, as mawk
// counts them).
func (l *Lesson) OutsideFolds() int {
	n := 0
	for _, s := range l.Sizes() {
		n += s.Bytes
	}
	return n
}

// A SectionSize is how many bytes of a section are outside folds.
type SectionSize struct {
	Title string // the "## " heading, without the #s; "" before the first
	Bytes int
}

// Sizes returns the bytes outside folds of each "## " section, in order,
// counted as OutsideFolds counts them.
func (l *Lesson) Sizes() []SectionSize {
	out := []SectionSize{{}}
	inside := false
	for i, line := range l.Lines {
		if i == len(l.Lines)-1 && line == "" {
			break // the end of the file's last line, not a line of its own
		}
		if strings.HasPrefix(line, "## ") && !inside {
			out = append(out, SectionSize{Title: strings.TrimPrefix(line, "## ")})
		}
		if strings.Contains(line, "<details>") {
			inside = true
		}
		if !inside {
			out[len(out)-1].Bytes += len(line) + 1
		}
		if strings.Contains(line, "</details>") {
			inside = false
		}
	}
	return out
}

// SizeTarget returns the most text outside folds that stage n's lesson may
// have, in bytes: 25 KB for Stages 1 and 2, 40 KB from Stage 3 on.
func SizeTarget(n int) int {
	if n <= 2 {
		return 25000
	}
	return 40000
}

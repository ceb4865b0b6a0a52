// Package lessons reads the stage lessons (their README.md files) and
// checks what they show against real runs.
//
// A lesson marks each console block that shows the check's output or a
// stage program's output with a recipe, on the line before its fence (or
// before an HTML comment that describes the script, right above the fence):
//
//	<!-- example: check 1 @ step 2 -->
//
// Examples produces every marked block from a real run of its recipe, and
// Compare and Update hold the lesson to it. The package also reads the
// lesson's Go blocks (Fragments), its Steps and folds (Format, Size), and
// builds the programs a recipe names: a skeleton with some Steps done from
// the lesson's own "One way to write it" folds, or a broken program of the
// gallery.
package lessons

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// A Lesson is a stage's README.md, read into lines.
type Lesson struct {
	Path  string
	Lines []string // without their "\n"
	rel   string   // Path from the repository root, to name examples by
}

// Read reads the lesson at path.
func Read(path string) (*Lesson, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &Lesson{Path: path, Lines: strings.Split(string(b), "\n")}, nil
}

// Text returns the lesson as it is now, lines joined again.
func (l *Lesson) Text() string { return strings.Join(l.Lines, "\n") }

// A Block is a fenced block of the lesson.
type Block struct {
	Fence int      // the index of its opening fence line in Lesson.Lines
	Info  string   // what follows the opening fence: "go", "console"
	Lines []string // what is between the fences
}

// Line returns the line number (from 1) of the block's opening fence.
func (b Block) Line() int { return b.Fence + 1 }

// blockAt returns the fenced block whose opening fence is line i.
func (l *Lesson) blockAt(i int) (Block, error) {
	info, ok := strings.CutPrefix(l.Lines[i], "```")
	if !ok {
		return Block{}, fmt.Errorf("%s:%d: want a fence (```), found %q", l.Path, i+1, l.Lines[i])
	}
	b := Block{Fence: i, Info: strings.TrimSpace(info)}
	for j := i + 1; j < len(l.Lines); j++ {
		if l.Lines[j] == "```" {
			return b, nil
		}
		b.Lines = append(b.Lines, l.Lines[j])
	}
	return Block{}, fmt.Errorf("%s:%d: this block is never closed", l.Path, i+1)
}

// An Example is a console block marked with a recipe.
type Example struct {
	Marker int    // the index of the marker line
	Recipe Recipe // what the marker says
	// Comment is the HTML comment between the marker and the block, if
	// any, without its <!-- and -->: the script of a session. When it
	// starts with "terminal N of M", the block shows terminal N of the
	// session (several markers may show the terminals of one session).
	Comment string
	Block   Block
}

// Line returns the marker's line number, from 1.
func (e Example) Line() int { return e.Marker + 1 }

var exampleMarker = regexp.MustCompile(`^<!-- example: (.*?) -->\s*$`)

// Examples returns the lesson's marked blocks, in order. A marker is
// followed by its block's fence, or by an HTML comment (one line or more)
// that describes the script and then the fence.
func (l *Lesson) Examples() ([]Example, error) {
	var out []Example
	for i, line := range l.Lines {
		m := exampleMarker.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		r, err := ParseRecipe(m[1])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", l.Path, i+1, err)
		}
		fence := i + 1
		var comment []string
		if fence < len(l.Lines) && strings.HasPrefix(l.Lines[fence], "<!--") {
			for fence < len(l.Lines) {
				comment = append(comment, l.Lines[fence])
				fence++
				if strings.Contains(comment[len(comment)-1], "-->") {
					break
				}
			}
		}
		if fence >= len(l.Lines) {
			return nil, fmt.Errorf("%s:%d: no block after this example marker", l.Path, i+1)
		}
		b, err := l.blockAt(fence)
		if err != nil {
			return nil, err
		}
		text := strings.Join(comment, "\n")
		text = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(text, "<!--"), "-->"))
		out = append(out, Example{Marker: i, Recipe: r, Comment: text, Block: b})
	}
	return out, nil
}

// A Fragment is a Go block of the lesson.
type Fragment struct {
	Block
	Step   int    // the Step whose section it is in; 0 outside every Step
	InFold bool   // whether it is inside a <details> fold
	Body   string // the function whose body it is, from a "body of" marker
	// Imports are the imports the body needs that the skeleton's file may
	// lack, from the marker: <!-- body of f, importing "os" "os/signal" -->.
	Imports []string
}

// Code returns the fragment's code, ending in a newline.
func (f Fragment) Code() string { return strings.Join(f.Lines, "\n") + "\n" }

var (
	stepHeading = regexp.MustCompile(`^## Step (\d+):`)
	bodyMarker  = regexp.MustCompile(`^<!-- body of (\w+)(?:, importing ((?:"[^"]+"\s*)+))? -->\s*$`)
	importPath  = regexp.MustCompile(`"[^"]+"`)
)

// Fragments returns the lesson's Go blocks, in order. A block that is the
// whole body of a function has a marker on the line before it (or the one
// before that, with a blank line between).
func (l *Lesson) Fragments() ([]Fragment, error) {
	var out []Fragment
	step, depth := 0, 0
	for i := 0; i < len(l.Lines); i++ {
		line := l.Lines[i]
		if m := stepHeading.FindStringSubmatch(line); m != nil {
			step, _ = strconv.Atoi(m[1])
		} else if strings.HasPrefix(line, "## ") {
			step = 0
		}
		depth += foldChange(line)
		if !strings.HasPrefix(line, "```") {
			continue
		}
		b, err := l.blockAt(i)
		if err != nil {
			return nil, err
		}
		i += len(b.Lines) + 1 // past the closing fence
		if b.Info != "go" {
			continue
		}
		f := Fragment{Block: b, Step: step, InFold: depth > 0}
		for j := b.Fence - 1; j >= 0 && j >= b.Fence-2; j-- {
			if m := bodyMarker.FindStringSubmatch(l.Lines[j]); m != nil {
				f.Body = m[1]
				for _, p := range importPath.FindAllString(m[2], -1) {
					path, _ := strconv.Unquote(p)
					f.Imports = append(f.Imports, path)
				}
				break
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// foldChange returns how a line changes the depth of <details> folds.
func foldChange(line string) int {
	return strings.Count(line, "<details>") - strings.Count(line, "</details>")
}

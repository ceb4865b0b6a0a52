package tests

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"workbook/tests/harness"
	"workbook/tests/milestones"
)

// A fragment is a Go code block in a lesson.
type fragment struct {
	line int    // where it starts in the README
	body string // the function whose body it is, from a "<!-- body of f -->" line before it
	code string
}

var (
	fenceStart = regexp.MustCompile("^```go\\s*$")
	bodyOf     = regexp.MustCompile(`^<!-- body of (\w+) -->\s*$`)
	// placeholder matches a line that stands for code left out: "..."
	placeholder = regexp.MustCompile(`^\s*\.\.\.\s*(//.*)?$`)
)

// fragments returns the Go code blocks of a Markdown file.
func fragments(t *testing.T, path string) []fragment {
	t.Helper()
	lines := strings.Split(string(read(t, path)), "\n")
	var out []fragment
	for i := 0; i < len(lines); i++ {
		if !fenceStart.MatchString(lines[i]) {
			continue
		}
		f := fragment{line: i + 1}
		for j := i - 1; j >= 0 && j >= i-2; j-- { // the marker, maybe a blank line above
			if m := bodyOf.FindStringSubmatch(lines[j]); m != nil {
				f.body = m[1]
			}
		}
		var code []string
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			code = append(code, lines[i])
		}
		f.code = strings.Join(code, "\n") + "\n"
		out = append(out, f)
	}
	return out
}

// TestLessonFragmentsParse checks that every Go block in every lesson is
// Go: a file, declarations, or statements, where a line of "..." stands for
// code left out.
func TestLessonFragmentsParse(t *testing.T) {
	for _, st := range milestones.Stages() {
		readme := filepath.Join(shippedStage(t, st), "README.md")
		for _, f := range fragments(t, readme) {
			if err := parses(f.code); err != nil {
				t.Errorf("%s:%d: this Go block does not parse: %v\n%s", readme, f.line, err, f.code)
			}
		}
	}
}

func parses(code string) error {
	var kept []string
	for _, l := range strings.Split(code, "\n") {
		if !placeholder.MatchString(l) {
			kept = append(kept, l)
		}
	}
	code = strings.Join(kept, "\n")
	fset := token.NewFileSet()
	var errs []error
	for _, src := range []string{
		code,                                     // a whole file
		"package p\n" + code,                     // declarations
		"package p\nfunc _() {\n" + code + "\n}", // statements
	} {
		_, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return errs[len(errs)-1] // as statements: what most blocks are
}

// TestLessonFragmentsCompile checks every block marked as the body of a
// function ("<!-- body of openSocket -->" on the line before it): put in
// place of that function's body in a copy of the skeleton, it must build.
// The blocks leave "your turn" gaps, so the program is not expected to pass
// the checks, only to compile, as it does for a learner who types it in.
func TestLessonFragmentsCompile(t *testing.T) {
	t.Parallel()
	for _, st := range milestones.Stages() {
		t.Run(st.Dir, func(t *testing.T) {
			t.Parallel()
			skeleton := shippedStage(t, st)
			readme := filepath.Join(skeleton, "README.md")
			var marked []fragment
			for _, f := range fragments(t, readme) {
				if f.body != "" {
					marked = append(marked, f)
				}
			}
			// One build per fragment, so an error names its block; they
			// take turns with every other build (buildOnce).
			var wg sync.WaitGroup
			for _, f := range marked {
				dir := t.TempDir()
				wg.Go(func() {
					if err := copyPackage(skeleton, dir); err != nil {
						t.Error(err)
						return
					}
					if err := replaceBody(dir, f.body, f.code); err != nil {
						t.Errorf("%s:%d: %v", readme, f.line, err)
						return
					}
					if _, err := buildOnce(dir); err != nil {
						var be *harness.BuildError
						if errors.As(err, &be) {
							err = errors.New(be.Output)
						}
						t.Errorf("%s:%d: as the body of %s, this block does not compile:\n%v\n%s", readme, f.line, f.body, err, f.code)
					}
				})
			}
			wg.Wait()
		})
	}
}

// replaceBody replaces the body of the function or method named name, in
// the Go files of dir, with code.
func replaceBody(dir, name, code string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	sort.Strings(files)
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Name.Name != name || fn.Body == nil {
				continue
			}
			start := fset.Position(fn.Body.Lbrace).Offset + 1
			end := fset.Position(fn.Body.Rbrace).Offset
			out := string(src[:start]) + "\n" + code + string(src[end:])
			return os.WriteFile(path, []byte(out), 0o644)
		}
	}
	return fmt.Errorf("no function %s in %s", name, dir)
}

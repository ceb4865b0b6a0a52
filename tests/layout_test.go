package tests

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// The sizes that keep tests/ easy to live in (tests/README.md, "Sizes"): a
// new check is one small file, and no file, function or line grows past
// what a reader takes in at once.
const (
	maxFileLines = 500
	maxFuncLines = 60
	maxLineChars = 160
)

// TestTestsLayout holds every Go file under tests/ to those sizes. Two
// kinds of code are data, not logic, and may run longer: a function whose
// body is one return of a composite literal (a table), and the lines of a
// raw string literal (a sample of a program's output).
func TestTestsLayout(t *testing.T) {
	dir := filepath.Join(root, "tests")
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		src := read(t, path)
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		lines := strings.Split(string(src), "\n")
		if n := len(lines) - 1; n > maxFileLines {
			t.Errorf("%s has %d lines, over %d: split it into files named for what each part does", rel, n, maxFileLines)
		}
		data := rawStringLines(fset, f)
		for i, line := range lines {
			if n := len([]rune(line)); n > maxLineChars && !data[i+1] {
				t.Errorf("%s:%d is %d characters long, over %d: break it", rel, i+1, n, maxLineChars)
			}
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil || isTable(fn) {
				continue
			}
			start, end := fset.Position(fn.Pos()).Line, fset.Position(fn.End()).Line
			if n := end - start + 1; n > maxFuncLines {
				t.Errorf("%s:%d: func %s has %d lines, over %d: give its parts functions of their own", rel, start, fn.Name.Name, n, maxFuncLines)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rawStringLines returns the lines of f that a raw string literal spans.
func rawStringLines(fset *token.FileSet, f *ast.File) map[int]bool {
	lines := make(map[int]bool)
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.HasPrefix(lit.Value, "`") {
			for l := fset.Position(lit.Pos()).Line; l <= fset.Position(lit.End()).Line; l++ {
				lines[l] = true
			}
		}
		return true
	})
	return lines
}

// isTable reports whether fn's body is a single return of a composite
// literal: a table of data, however long.
func isTable(fn *ast.FuncDecl) bool {
	if len(fn.Body.List) != 1 {
		return false
	}
	ret, ok := fn.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return false
	}
	_, ok = ret.Results[0].(*ast.CompositeLit)
	if !ok {
		if u, isUnary := ret.Results[0].(*ast.UnaryExpr); isUnary {
			_, ok = u.X.(*ast.CompositeLit)
		}
	}
	return ok
}

package lessons

import (
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// SetBody replaces the body of the function or method named name, in the Go
// files of dir, with code, and adds imports to that function's file, as a
// learner who types the lesson's code in does.
func SetBody(dir, name, code string, imports []string) error {
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
			if out, err = addImports(path, out, imports); err != nil {
				return err
			}
			return os.WriteFile(path, []byte(out), 0o644)
		}
	}
	return fmt.Errorf("no function %s in %s", name, dir)
}

// addImports returns src, the Go file at path, importing paths too: its
// import declarations become one, the standard library's packages first,
// then a group of the others, and the file is formatted.
func addImports(path, src string, paths []string) (string, error) {
	if len(paths) == 0 {
		return src, nil
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, src, parser.ImportsOnly)
	if err != nil {
		return "", err
	}
	block := importBlock(file, paths)
	// Replace the import declarations, or put the block after the package
	// clause when there are none.
	start := fset.Position(file.Name.End()).Offset
	end := start
	var decls []ast.Decl
	for _, d := range file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			decls = append(decls, d)
		}
	}
	if len(decls) > 0 {
		start = fset.Position(decls[0].Pos()).Offset
		end = fset.Position(decls[len(decls)-1].End()).Offset
	} else {
		block = "\n\n" + block
	}
	out, err := format.Source([]byte(src[:start] + block + src[end:]))
	if err != nil {
		return "", fmt.Errorf("%s with the imports %q: %v", path, paths, err)
	}
	return string(out), nil
}

// importBlock returns an import declaration of what file imports and
// paths, each once: the standard library's packages, then the others.
func importBlock(file *ast.File, paths []string) string {
	var std, others []string
	have := map[string]bool{}
	add := func(spec string, path string) {
		if have[spec] {
			return
		}
		have[spec] = true
		if strings.Contains(strings.Split(path, "/")[0], ".") {
			others = append(others, spec)
		} else {
			std = append(std, spec)
		}
	}
	for _, imp := range file.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		spec := imp.Path.Value
		if imp.Name != nil {
			spec = imp.Name.Name + " " + spec
		}
		add(spec, p)
	}
	for _, p := range paths {
		add(strconv.Quote(p), p)
	}
	slices.Sort(std)
	slices.Sort(others)
	block := "import (\n"
	for _, spec := range std {
		block += "\t" + spec + "\n"
	}
	if len(std) > 0 && len(others) > 0 {
		block += "\n"
	}
	for _, spec := range others {
		block += "\t" + spec + "\n"
	}
	return block + ")\n"
}

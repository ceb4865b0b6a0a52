package harness

import (
	"fmt"
	"os"
	"path/filepath"
)

// CopyPackage copies the files of the package in src (its regular files,
// not its subdirectories) for which keep is true, or all of them when keep
// is nil, to dst, which it creates. When src has no go.mod, because it is a
// package inside a larger module (a solution, say), it copies the go.mod and
// go.sum of that module's root too, so that dst builds on its own with Build.
func CopyPackage(src, dst string, keep func(name string) bool) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	hasMod := false
	for _, e := range entries {
		if !e.Type().IsRegular() || (keep != nil && !keep(e.Name())) {
			continue
		}
		hasMod = hasMod || e.Name() == "go.mod"
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return err
		}
	}
	for mod := src; !hasMod; {
		parent := filepath.Dir(mod)
		if parent == mod {
			return fmt.Errorf("no go.mod in or above %s", src)
		}
		mod = parent
		for _, name := range []string{"go.mod", "go.sum"} {
			path := filepath.Join(mod, name)
			if _, err := os.Stat(path); err != nil {
				continue
			}
			if err := copyFile(path, filepath.Join(dst, name)); err != nil {
				return err
			}
			hasMod = hasMod || name == "go.mod"
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

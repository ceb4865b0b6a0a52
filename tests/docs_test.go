package tests

import (
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// unfilled matches what a writer leaves to fill in later: a figure not
// measured yet (TIMING_WARM), or a mark such as FIXME, TBD or XXX.
var unfilled = regexp.MustCompile(`\b(TIMING_[A-Z]+|FIXME|TBD|XXX)\b`)

// TestDocsHaveNoPlaceholders fails when a Markdown file of the workbook
// still holds a placeholder: a learner would read it as it is.
func TestDocsHaveNoPlaceholders(t *testing.T) {
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == ".git" || d.Name() == "bin"):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".md"):
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		for i, line := range strings.Split(string(read(t, path)), "\n") {
			if m := unfilled.FindString(line); m != "" {
				t.Errorf("%s:%d still holds the placeholder %s: fill it in", rel, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

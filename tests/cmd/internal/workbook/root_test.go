package workbook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoot(t *testing.T) {
	top := t.TempDir()
	for _, d := range []string{"tests/cmd/check", "stage1-server/deep"} {
		if err := os.MkdirAll(filepath.Join(top, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(top, "go.work"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(top, "stage1-server", "deep"))
	got, err := Root("check")
	if err != nil || got != top {
		t.Errorf("Root(check) from a stage's subdirectory = %q, %v; want %q", got, err, top)
	}
	// A tree with go.work but not the command is not the workbook.
	if got, err := Root("lessons"); err == nil || !strings.Contains(err.Error(), "go run ./tests/cmd/lessons") {
		t.Errorf("Root(lessons) = %q, %v; want an error that says how to run it", got, err)
	}
}

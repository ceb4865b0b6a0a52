package milestones

import (
	"strings"
	"testing"
)

func TestDeadlockOfReadsWhereMainWaits(t *testing.T) {
	stderr := []string{
		"fatal error: all goroutines are asleep - deadlock!",
		"",
		"goroutine 1 [select (no cases)]:",
		"main.run({{0x7f, 0x0, 0x0, 0x1}, 0x0, 0x10000})",
		"\t/home/learner/workbook/stage1-server/server.go:36 +0x1e5",
		"main.main()",
		"\t/home/learner/workbook/stage1-server/main.go:15 +0x8d",
	}
	d, ok := deadlockOf(stderr)
	if want := (deadlock{wait: "select (no cases)", fn: "run", file: "server.go", line: 36}); !ok || d != want {
		t.Fatalf("deadlockOf = %+v, %v; want %+v, true", d, ok, want)
	}
	hint := d.hint()
	for _, want := range []string{"All goroutines are asleep: the program waits for something that never comes", "in run, at server.go:36"} {
		if !strings.Contains(hint, want) {
			t.Errorf("the hint %q lacks %q", hint, want)
		}
	}
	if strings.Contains(hint, "0x1e5") || strings.Contains(hint, "/home/learner") {
		t.Errorf("the hint quotes the stack raw: %q", hint)
	}
	if _, ok := deadlockOf([]string{"panic: runtime error: index out of range [3] with length 3"}); ok {
		t.Error("a panic taken for a deadlock")
	}
}

func TestCompileHintNamesTheImport(t *testing.T) {
	out := "# workbook/stage1-server\n" +
		"./server.go:12:8: undefined: unix\n" +
		"./server.go:20:3: undefined: unix\n" +
		"./client.go:7:9: undefined: bytes\n" +
		"./server.go:30:2: undefined: addr\n"
	hint := CompileHint(out)
	for _, want := range []string{
		`server.go uses package unix without importing it: add "golang.org/x/sys/unix"`,
		`client.go uses package bytes without importing it: add "bytes"`,
	} {
		if !strings.Contains(hint, want) {
			t.Errorf("CompileHint = %q, lacks %q", hint, want)
		}
	}
	if strings.Count(hint, "unix without") != 1 || strings.Contains(hint, "addr") {
		t.Errorf("CompileHint = %q: want each missing import once, and nothing about addr, which is no package", hint)
	}
	if hint := CompileHint("./server.go:3:2: \"bytes\" imported and not used\n"); hint != "" {
		t.Errorf("CompileHint for an unused import = %q, want nothing", hint)
	}
}

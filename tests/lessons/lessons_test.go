package lessons

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func lesson(text string) *Lesson {
	return &Lesson{Path: "README.md", Lines: strings.Split(text, "\n")}
}

func TestParseRecipe(t *testing.T) {
	for text, want := range map[string]Recipe{
		"check 1 @ skeleton [head 3]": {Kind: "check", Stage: 1, Args: []string{},
			Prog: Program{Stage: 1, Kind: "skeleton"}, Opts: Options{Head: 3}},
		"check 3 -challenges @ step 8 [only stalled half-close]": {Kind: "check", Stage: 3, Args: []string{"-challenges"},
			Prog: Program{Stage: 3, Kind: "step", Step: 8}, Opts: Options{Only: []string{"stalled", "half-close"}}},
		"run 1 -port 0 @ solution [head 1]": {Kind: "run", Stage: 1, Args: []string{"-port", "0"},
			Prog: Program{Stage: 1, Kind: "solution"}, Opts: Options{Head: 1}},
		"session 3 two-clients @ step 7 [lines 1-11]": {Kind: "session", Stage: 3, Name: "two-clients",
			Prog: Program{Stage: 3, Kind: "step", Step: 7}, Opts: Options{From: 1, To: 11}},
		"check 3 @ mistake never-removes-or-closes [summary]": {Kind: "check", Stage: 3, Args: []string{},
			Prog: Program{Stage: 3, Kind: "mistake", Name: "never-removes-or-closes"}, Opts: Options{Summary: true}},
	} {
		got, err := ParseRecipe(text)
		if err != nil {
			t.Errorf("%q: %v", text, err)
			continue
		}
		want.Text = text
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", text, diff)
		}
	}
	for _, text := range []string{
		"check 1",                      // no program
		"make 1 @ solution",            // no such kind
		"check one @ solution",         // no stage
		"check 1 @ step",               // no Step number
		"check 1 @ the best one",       // no such program
		"session 1 @ solution",         // no name
		"check 1 @ solution [tail 3]",  // no such option
		"check 1 @ solution [lines 5]", // no range
		"check 1 @ solution junk",      // not an option
	} {
		if _, err := ParseRecipe(text); err == nil {
			t.Errorf("%q parsed; want an error", text)
		}
	}
}

func TestExamplesAndFragments(t *testing.T) {
	l := lesson(strings.Join([]string{
		"# Stage 1", // 1
		"<!-- example: run 1 @ step 2 -->",
		"<!-- The script,",
		"over two lines. -->",
		"```console", // 5
		"$ go run ./stage1-server",
		"```",
		"## Step 2: Bind",
		"<details><summary>One way to write it</summary>",
		"", // 10
		"<!-- body of bindAndListen, importing \"os\" \"golang.org/x/sys/unix\" -->",
		"```go",
		"return nil",
		"```",
		"", // 15
		"</details>",
		"",
		"## Milestone 1",
		"```go",
		"x := 1", // 20
		"```",
	}, "\n"))
	exs, err := l.Examples()
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) != 1 || exs[0].Line() != 2 || exs[0].Block.Line() != 5 || exs[0].Recipe.Kind != "run" ||
		!cmp.Equal(exs[0].Block.Lines, []string{"$ go run ./stage1-server"}) {
		t.Errorf("examples: %+v", exs)
	}
	frags, err := l.Fragments()
	if err != nil {
		t.Fatal(err)
	}
	want := []Fragment{
		{Block: Block{Fence: 11, Info: "go", Lines: []string{"return nil"}}, Step: 2, InFold: true,
			Body: "bindAndListen", Imports: []string{"os", "golang.org/x/sys/unix"}},
		{Block: Block{Fence: 18, Info: "go", Lines: []string{"x := 1"}}},
	}
	if diff := cmp.Diff(want, frags); diff != "" {
		t.Errorf("fragments (-want +got):\n%s", diff)
	}
}

func TestStepBodies(t *testing.T) {
	text := func(step2 string) string {
		return strings.Join([]string{
			"## Step 1: One",
			"<!-- body of f -->", "```go", "return 1", "```",
			"## Step 2: Two", step2,
			"## Step 3: Three",
			"<!-- body of f -->", "```go", "return 3", "```",
		}, "\n")
	}
	l := lesson(text("<!-- body of g -->\n```go\nreturn 2\n```"))
	l.Lines = strings.Split(strings.Join(l.Lines, "\n"), "\n")
	got, err := StepBodies(l, 4)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, f := range got {
		bodies = append(bodies, f.Body+": "+strings.TrimSpace(f.Code()))
	}
	if want := []string{"f: return 3", "g: return 2"}; !cmp.Equal(want, bodies) {
		t.Errorf("bodies for step 4: %q, want %q: each function's last body", bodies, want)
	}
	if _, err := StepBodies(lesson(text("no code here")), 3); err == nil || !strings.Contains(err.Error(), "Step 2") {
		t.Errorf("a Step without a marked body gave %v; want an error naming Step 2", err)
	}
}

func TestSetBody(t *testing.T) {
	dir := t.TempDir()
	src := "package main\n\nimport \"fmt\"\n\nfunc f() error {\n\tfmt.Println()\n\treturn nil\n}\n"
	path := filepath.Join(dir, "f.go")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SetBody(dir, "f", "return os.NewSyscallError(\"x\", unix.EINVAL)\n", []string{"os", "golang.org/x/sys/unix", "fmt"}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	want := "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\n\t\"golang.org/x/sys/unix\"\n)\n\n" +
		"func f() error {\n\treturn os.NewSyscallError(\"x\", unix.EINVAL)\n}\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err := SetBody(dir, "nothere", "", nil); err == nil {
		t.Errorf("SetBody of a function that does not exist succeeded")
	}
}

func TestCut(t *testing.T) {
	check := []string{
		"$ go run ./tests/cmd/check -challenges 3",
		"Stage 3: an epoll server for many clients (stage3-epoll)",
		"  PASS Milestone 1: the event loop is up (0.0s)",
		"  FAIL Challenge: a client that never reads does not stall the others",
		"      it stalled",
		"      revisit: Step 8",
		"      what happened:",
		"  PASS Challenge: a half-close with replies still pending (1.5s)",
		"  ---- 3 challenges not run",
		"",
		"Next: read Step 8.",
		"exit status 1",
	}
	for recipe, want := range map[string][]string{
		"check 3 @ solution [head 2]":             {check[0], check[1], check[2], "..."},
		"check 3 @ solution [lines 2-3]":          {check[1], check[2]},
		"check 3 @ solution [summary]":            {check[0], check[1], check[2], check[3], "...", check[7], check[8], check[9], check[10], check[11]},
		"check 3 @ solution [only stalled]":       {check[0], check[1], "...", check[3], check[4], check[5], "...", check[9], check[10], check[11]},
		"check 3 @ solution [only half-close M1]": {check[0], check[1], check[2], "...", check[7], "...", check[9], check[10], check[11]},
	} {
		r, err := ParseRecipe(recipe)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Cut(r, check, false)
		if err != nil {
			t.Errorf("%s: %v", recipe, err)
		} else if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", recipe, diff)
		}
	}
	r, _ := ParseRecipe("run 1 -port 0 @ solution [head 1]")
	got, _ := Cut(r, []string{"$ go run ./stage1-server -port 0", "[INFO] Server listening on port 41234"}, true)
	if want := []string{"$ go run ./stage1-server -port 0", "[INFO] Server listening on port 41234", "..."}; !cmp.Equal(want, got) {
		t.Errorf("[head 1] of a program still running: %q, want %q", got, want)
	}
	r, _ = ParseRecipe("check 3 @ solution [only no-such-check]")
	if _, err := Cut(r, check, false); err == nil {
		t.Errorf("[only] with a check the stage does not have: no error")
	}
}

func TestNormalise(t *testing.T) {
	a := Normalise([]string{
		"[INFO] Server listening on port 8080",
		"  PASS Milestone 2: reverses lines (0.1s)",
		"   0.003s check  started stage3-epoll -port 33027",
		"could not connect to 127.0.0.1:33027: refused; 127.0.0.1:40000 too",
		"went round its loop 129437 times and used 390ms of CPU: from 2 MiB to 110 MiB",
		`      got:      "laitraplaitraplaitraplaitraplaitraplaitraplaitrap"`,
		"Stage 1: a blocking TCP server (/root/my-stage1)",
		"ESTAB      895892 4138146     127.0.0.1:8080     127.0.0.1:37848   ",
	})
	b := Normalise([]string{
		"[INFO] Server listening on port 8080",
		"  PASS Milestone 2: reverses lines (2.5s)",
		"   0.010s check started stage3-epoll -port 41000",
		"could not connect to 127.0.0.1:41000: refused; 127.0.0.1:35000 too",
		"went round its loop 52 times and used 12ms of CPU: from 3 MiB to 9 MiB",
		`      got:      "trapla"`,
		"Stage 1: a blocking TCP server (/home/you/my-stage1)",
		"ESTAB 2 4 127.0.0.1:8080 127.0.0.1:51000",
	})
	for i := range a {
		if a[i] != b[i] && i != 4 && i != 5 {
			t.Errorf("line %d: %q and %q should normalise the same", i, a[i], b[i])
		}
	}
	// What may not change: a short count and a short text.
	if a[4] == b[4] || a[5] == b[5] {
		t.Errorf("a loop count of 52 and a 6-byte text should still show: %q, %q", b[4], b[5])
	}
	if got := Normalise([]string{"listening on port 8080", "listening on port 8081"}); got[0] == got[1] {
		t.Errorf("8080 and another port normalise the same: %q", got)
	}
}

func TestFormatProblems(t *testing.T) {
	folds := []string{"Hint 1: which calls", "Hint 2: the shape", "One way to write it"}
	fold := func(summary string, body ...string) string {
		return strings.Join(append(append([]string{"<details><summary>" + summary + "</summary>", ""}, body...), "", "</details>"), "\n")
	}
	good := strings.Join([]string{
		"## Step 1: One", "**Your task.** Write f.",
		fold("See it"), fold(folds[0]), fold(folds[1]),
		fold(folds[2], "<!-- body of f -->", "```go", "return 1", "```"),
		"## Milestone 1",
	}, "\n")
	if p := lesson(good).FormatProblems(folds); len(p) != 0 {
		t.Errorf("a lesson in the format has problems: %q", p)
	}
	for name, text := range map[string]string{
		"no task":        strings.Replace(good, "**Your task.** Write f.", "Write f.", 1),
		"folds swapped":  strings.Replace(strings.Replace(good, folds[0], "X", 1), folds[1], folds[0], 1),
		"a fold missing": strings.Replace(good, fold(folds[1]), "", 1),
		"not closed":     strings.Replace(good, "</details>\n## Milestone", "\n## Milestone", 1),
		"no blank line":  strings.Replace(good, "<details><summary>See it</summary>\n\n", "<details><summary>See it</summary>\nx\n", 1),
		"answer outside": good + "\n<!-- body of f -->\n```go\nreturn 1\n```",
	} {
		if p := lesson(text).FormatProblems(folds); len(p) == 0 {
			t.Errorf("%s: no problem found in\n%s", name, text)
		}
	}
}

func TestOutsideFolds(t *testing.T) {
	l := lesson("ab\n<details><summary>x</summary>\n\nhidden\n\n</details>\ncd\n")
	if got := l.OutsideFolds(); got != 6 {
		t.Errorf("OutsideFolds = %d, want 6: \"ab\\n\" and \"cd\\n\"", got)
	}
}

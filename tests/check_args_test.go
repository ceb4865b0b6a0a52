package tests

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckCommandFlagsAfterStage checks that flags may follow the stage
// number, and that -run runs only the checks whose ID or name it matches,
// challenges included, and says which it left out.
func TestCheckCommandFlagsAfterStage(t *testing.T) {
	t.Parallel()
	out, code := runCheck(t, "-solutions", "1", "-run", `M1|terminators`)
	if code != 0 {
		t.Errorf("exit status %d, want 0:\n%s", code, out)
	}
	for _, want := range []string{
		"PASS Milestone 1: listens and accepts a client",
		`PASS Challenge: \r\n terminators`,
		`---- 13 left out by -run "M1|terminators": M2, M3, split, utf8,`,
		`Well done! Every check that -run "M1|terminators" chose passes.`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Milestone 2") {
		t.Errorf("a check that -run left out ran:\n%s", out)
	}
}

// TestCheckCommandUsageErrors checks the usage errors that name what is
// wrong: exit status 2, and the words that say why.
func TestCheckCommandUsageErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-dir", "/nonexistent", "1"}, "check: -dir /nonexistent: there is no such folder"},
		{[]string{"1", "-run", "("}, `check: -run "(" is not a regular expression`},
		{[]string{"-run", "no-such-check", "1"}, "check: -run \"no-such-check\" matches no check. The checks' IDs are:\n  stage 1: M1, M2, M3,"},
		{[]string{"1", "-challenges", "2"}, `check: one stage at most, got ["1" "2"]`},
	} {
		out, code := runCheck(t, tc.args...)
		if code != 2 || !strings.Contains(out, tc.want) {
			t.Errorf("check %s: exit status %d, output:\n%s\nwant exit status 2 and %q", strings.Join(tc.args, " "), code, out, tc.want)
		}
	}
}

// fakeRoot returns a directory that the check command takes for the
// repository's root, holding stage1-server: a copy of the Stage 1 solution
// that does not compile.
func fakeRoot(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tests", "cmd", "check"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "go.work"), "go 1.26.0\n")
	stage := filepath.Join(dir, "stage1-server")
	if err := os.Rename(copyStage(t, "solutions/stage1-server"), stage); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(stage, "oops.go"), "package main\n\nfunc oops() { undefinedThing() }\n")
	return dir
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCheckCommandCompileErrorPaths checks that a compile error names its
// file from the repository root wherever the check is run from in it, and
// as the learner gave it for a -dir outside it: never from the stage's
// folder, where go build runs.
func TestCheckCommandCompileErrorPaths(t *testing.T) {
	t.Parallel()
	repo := fakeRoot(t)
	for _, tc := range []struct {
		dir  string
		args []string
		want string
	}{
		{repo, []string{"1"}, "\n        stage1-server/oops.go:3:15: undefined: undefinedThing\n"},
		{filepath.Join(repo, "stage1-server"), []string{"1"}, "\n        stage1-server/oops.go:3:15: undefined: undefinedThing\n"},
		{filepath.Dir(repo), []string{"-dir", "./" + filepath.Join(filepath.Base(repo), "stage1-server"), "1"},
			"\n        ./" + filepath.Base(repo) + "/stage1-server/oops.go:3:15: undefined: undefinedThing\n"},
	} {
		r := checkIn(t, tc.dir, []string{"NO_COLOR=1"}, tc.args...)
		if r.code != 1 || !strings.Contains(r.stdout, tc.want) {
			t.Errorf("check %s in %s: exit status %d, output:\n%s\nwant exit status 1 and %q", strings.Join(tc.args, " "), tc.dir, r.code, r.stdout, tc.want)
		}
	}
}

// TestCheckCommandShowsDownloads checks that the check passes on what the
// go command says it fetches, which on a first run can take minutes. The
// module comes from a proxy in a local folder, into an empty module cache.
func TestCheckCommandShowsDownloads(t *testing.T) {
	t.Parallel()
	proxy := t.TempDir()
	const mod = "example.com/greeting"
	versions := filepath.Join(proxy, mod, "@v")
	if err := os.MkdirAll(versions, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(versions, "list"), "v1.0.0\n")
	write(t, filepath.Join(versions, "v1.0.0.info"), `{"Version":"v1.0.0","Time":"2026-01-01T00:00:00Z"}`)
	write(t, filepath.Join(versions, "v1.0.0.mod"), "module "+mod+"\n\ngo 1.26.0\n")
	writeZip(t, filepath.Join(versions, "v1.0.0.zip"), map[string]string{
		mod + "@v1.0.0/go.mod":      "module " + mod + "\n\ngo 1.26.0\n",
		mod + "@v1.0.0/greeting.go": "package greeting\n\n// Hello is a greeting.\nconst Hello = \"hello\"\n",
	})
	prog := t.TempDir()
	write(t, filepath.Join(prog, "go.mod"), "module hello\n\ngo 1.26.0\n\nrequire "+mod+" v1.0.0\n")
	write(t, filepath.Join(prog, "main.go"), "package main\n\nimport \""+mod+"\"\n\nfunc main() { println(greeting.Hello) }\n")

	r := checkIn(t, root, []string{
		"NO_COLOR=1", "GOPROXY=file://" + proxy, "GOMODCACHE=" + t.TempDir(), "GOSUMDB=off",
		"GOFLAGS=-mod=mod -modcacherw", // go.sum is written as the module comes; the cache can be removed
	}, "-dir", prog, "1")
	if want := "building stage 1...\ngo: downloading example.com/greeting v1.0.0\n"; !strings.HasPrefix(r.stderr, want) {
		t.Errorf("stderr:\n%s\nwant it to start with:\n%s", r.stderr, want)
	}
	if r.code != 1 || strings.Contains(r.stdout, "does not compile") {
		t.Errorf("exit status %d, want 1 from Milestone 1, after the program compiled:\n%s", r.code, r.stdout)
	}
}

// writeZip writes a zip file that holds files, by name.
func writeZip(t *testing.T, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z := zip.NewWriter(f)
	for name, text := range files {
		w, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(text))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
}

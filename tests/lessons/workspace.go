package lessons

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"workbook/tests/gallery"
	"workbook/tests/harness"
	"workbook/tests/milestones"
	"workbook/tests/shipped"
)

// A Workspace makes the programs that recipes run, each once: their
// sources (a copy of the shipped skeleton with Steps done, say), their
// binaries, and the directories the check command runs in. Everything it
// makes is under its temporary directory. It is safe for concurrent use.
type Workspace struct {
	Root string // the repository root
	Tmp  string // where everything made goes; the caller removes it

	dirs, bins, trees, solos, skeletons memo[string]
	lessons                             memo[*Lesson]
	sessions                            memo[*sessionRun]
}

// A SkipError says that an example cannot be made here, and why: on a
// learner's clone without git, for one, the shipped skeleton is not to be
// had. It is not a difference between a lesson and a real run.
type SkipError struct{ Reason string }

func (e *SkipError) Error() string { return e.Reason }

// stage returns stage n, or an error.
func stage(n int) (*milestones.Stage, error) {
	st := milestones.StageByNumber(n)
	if st == nil {
		return nil, fmt.Errorf("there is no stage %d", n)
	}
	return st, nil
}

// Lesson returns stage n's lesson, read once.
func (w *Workspace) Lesson(n int) (*Lesson, error) {
	return w.lessons.get(fmt.Sprint(n), func() (*Lesson, error) {
		st, err := stage(n)
		if err != nil {
			return nil, err
		}
		return Read(filepath.Join(w.Root, st.Dir, "README.md"))
	})
}

// Dir returns the source directory of p.
func (w *Workspace) Dir(p Program) (string, error) {
	return w.dirs.get(p.String(), func() (string, error) {
		st, err := stage(p.Stage)
		if err != nil {
			return "", err
		}
		switch p.Kind {
		case "solution":
			return filepath.Join(w.Root, "solutions", st.Dir), nil
		case "skeleton":
			return w.skeleton(st)
		case "step":
			return w.step(st, p.Step)
		case "mistake":
			b, ok := gallery.Find(st.Number, p.Name)
			if !ok {
				return "", fmt.Errorf("stage %d's gallery (tests/gallery/stage%d.go) has no broken program %q", st.Number, st.Number, p.Name)
			}
			return b.Program(w.Root, st, w.path("mistake", p.Name, st.Dir))
		}
		return "", fmt.Errorf("unknown program %v", p)
	})
}

// skeleton returns the directory of st's skeleton as shipped.
func (w *Workspace) skeleton(st *milestones.Stage) (string, error) {
	return w.skeletons.get(st.Dir, func() (string, error) {
		d, err := shipped.Find(w.Root, st, w.path("shipped"))
		if err != nil {
			return "", err
		}
		if d.Skip != "" {
			return "", &SkipError{d.Skip}
		}
		return d.Path, nil
	})
}

// step returns a copy of st's shipped skeleton with Steps 1 to n-1 done as
// the lesson does them: every function whose body a "One way to write it"
// fold of those Steps gives has the latest such body, and the imports the
// fold's marker names.
func (w *Workspace) step(st *milestones.Stage, n int) (string, error) {
	if n > len(st.Steps) {
		return "", fmt.Errorf("stage %d has %d Steps, so there is no step %d: use solution", st.Number, len(st.Steps), n)
	}
	skel, err := w.skeleton(st)
	if err != nil {
		return "", err
	}
	lesson, err := w.Lesson(st.Number)
	if err != nil {
		return "", err
	}
	bodies, err := StepBodies(lesson, n)
	if err != nil {
		return "", err
	}
	dir := w.path("step", fmt.Sprint(n), st.Dir) // named as the stage, as its binary will be
	if err := harness.CopyPackage(skel, dir, nil); err != nil {
		return "", err
	}
	for _, f := range bodies {
		if err := SetBody(dir, f.Body, f.Code(), f.Imports); err != nil {
			return "", fmt.Errorf("%s:%d: %v", lesson.Path, f.Line(), err)
		}
	}
	return dir, nil
}

// StepBodies returns the function bodies that make a skeleton the program
// of a learner who has done Steps 1 to n-1 from the lesson: for each
// function, the last marked body among those Steps' blocks. Every one of
// those Steps must have a marked body, or the program would not be what
// the lesson makes.
func StepBodies(l *Lesson, n int) ([]Fragment, error) {
	frags, err := l.Fragments()
	if err != nil {
		return nil, err
	}
	latest := map[string]int{}
	var order []string
	done := map[int]bool{}
	for i, f := range frags {
		if f.Body == "" || f.Step < 1 || f.Step >= n {
			continue
		}
		if _, ok := latest[f.Body]; !ok {
			order = append(order, f.Body)
		}
		latest[f.Body] = i
		done[f.Step] = true
	}
	for s := 1; s < n; s++ {
		if !done[s] {
			return nil, fmt.Errorf("%s: Step %d has no <!-- body of f --> block, so the program after it cannot be made from the lesson", l.Path, s)
		}
	}
	var out []Fragment
	for _, name := range order {
		out = append(out, frags[latest[name]])
	}
	return out, nil
}

// Binary returns p's binary, built once.
func (w *Workspace) Binary(ctx context.Context, p Program) (string, error) {
	dir, err := w.Dir(p)
	if err != nil {
		return "", err
	}
	return w.build(ctx, dir)
}

// BinaryOf returns the binary of the main package in dir, relative to the
// repository root (such as "solutions/stage1-server"), built once.
func (w *Workspace) BinaryOf(ctx context.Context, dir string) (string, error) {
	return w.build(ctx, filepath.Join(w.Root, dir))
}

func (w *Workspace) build(ctx context.Context, dir string) (string, error) {
	return w.bins.get(dir, func() (string, error) {
		out := w.path("bin", slug(dir))
		if err := os.MkdirAll(out, 0o755); err != nil {
			return "", err
		}
		return harness.Build(ctx, dir, out)
	})
}

// Tree returns a directory laid out like the workbook, as far as the check
// command looks: go.work and tests/cmd/check, by which it finds the root,
// and p in place of its stage's directory. The check command run there
// checks p and names it as a learner's stage directory.
func (w *Workspace) Tree(p Program) (string, error) {
	return w.trees.get(p.String(), func() (string, error) {
		st, err := stage(p.Stage)
		if err != nil {
			return "", err
		}
		dir, err := w.Dir(p)
		if err != nil {
			return "", err
		}
		tree := w.path("tree", slug(p.String()))
		if err := harness.CopyPackage(dir, filepath.Join(tree, st.Dir), nil); err != nil {
			return "", err
		}
		if err := os.MkdirAll(filepath.Join(tree, "tests", "cmd", "check"), 0o755); err != nil {
			return "", err
		}
		work, err := os.ReadFile(filepath.Join(w.Root, "go.work"))
		if err != nil {
			return "", err
		}
		return tree, os.WriteFile(filepath.Join(tree, "go.work"), work, 0o644)
	})
}

// Solo returns a module of its own, outside the repository, named as the
// lesson's "On your own" section names it (my-stageN), holding p's Go files
// without their tests, as a learner who builds the stage on their own has
// it. See SoloModule.
func (w *Workspace) Solo(ctx context.Context, p Program) (string, error) {
	return w.solos.get(p.String(), func() (string, error) {
		dir, err := w.Dir(p)
		if err != nil {
			return "", err
		}
		solo := filepath.Join(w.path("solo", slug(p.String())), SoloHome, fmt.Sprintf("my-stage%d", p.Stage))
		return solo, SoloModule(ctx, dir, solo)
	})
}

// SoloHome is the home directory that a solo module's path is shown under.
const SoloHome = "home/you"

// SoloModule makes dst a module of its own, as the lessons' "On your own"
// sections have a learner make it (go mod init, then golang.org/x/sys
// v0.50.0, taken from the module cache: no network), and copies into it the
// Go files of src, without its tests. Without x/sys in the module cache it
// returns a SkipError.
func SoloModule(ctx context.Context, src, dst string) error {
	err := harness.CopyPackage(src, dst, func(name string) bool {
		return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
	})
	if err != nil {
		return err
	}
	for _, name := range []string{"go.mod", "go.sum"} {
		os.Remove(filepath.Join(dst, name)) // CopyPackage brought the solution's
	}
	for _, args := range [][]string{
		{"mod", "init", filepath.Base(dst)},
		{"get", "golang.org/x/sys@v0.50.0"},
	} {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = dst
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			if args[0] == "get" {
				return &SkipError{fmt.Sprintf("golang.org/x/sys v0.50.0 is not in the module cache, and this uses no network (go get: %s)",
					strings.TrimSpace(string(out)))}
			}
			return fmt.Errorf("go %s in %s: %v\n%s", strings.Join(args, " "), dst, err, out)
		}
	}
	return nil
}

// CheckCommand returns the check command's binary, built once.
func (w *Workspace) CheckCommand(ctx context.Context) (string, error) {
	return w.BinaryOf(ctx, "tests/cmd/check")
}

// path returns a path under the workspace's temporary directory.
func (w *Workspace) path(elem ...string) string {
	return filepath.Join(append([]string{w.Tmp}, elem...)...)
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	return strings.Trim(notSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// A memo computes a value for each key once, for concurrent callers: the
// ones that come while it is computed wait for it.
type memo[T any] struct {
	mu sync.Mutex
	m  map[string]*memoEntry[T]
}

type memoEntry[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (m *memo[T]) get(key string, f func() (T, error)) (T, error) {
	m.mu.Lock()
	if m.m == nil {
		m.m = map[string]*memoEntry[T]{}
	}
	e := m.m[key]
	if e == nil {
		e = &memoEntry[T]{}
		m.m[key] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.v, e.err = f() })
	return e.v, e.err
}

// IsSkip reports whether err says that an example cannot be made here.
func IsSkip(err error) bool {
	var s *SkipError
	return errors.As(err, &s)
}

package milestones

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// todoMarker matches the comment that marks a learner's work in a skeleton.
var todoMarker = regexp.MustCompile(`TODO\(step (\d+)\)`)

// StepAt returns the Step that line n of file (in dir) belongs to: the one
// named by the nearest TODO(step N) marker at or above it. It returns 0 when
// there is none, for example once the learner has deleted the markers.
func StepAt(dir, file string, n int) int {
	f, err := os.Open(filepath.Join(dir, file))
	if err != nil {
		return 0
	}
	defer f.Close()
	step := 0
	sc := bufio.NewScanner(f)
	for i := 1; i <= n && sc.Scan(); i++ {
		if m := todoMarker.FindStringSubmatch(sc.Text()); m != nil {
			step, _ = strconv.Atoi(m[1])
		}
	}
	return step
}

// packagePaths are the import paths of the packages a stage program may
// use, by the name its code calls them by.
var packagePaths = map[string]string{
	"unix":     "golang.org/x/sys/unix",
	"signal":   "os/signal",
	"filepath": "path/filepath",
	"netip":    "net/netip",
	"utf8":     "unicode/utf8",
	"binary":   "encoding/binary",
	"atomic":   "sync/atomic",
	"bufio":    "bufio",
	"bytes":    "bytes",
	"errors":   "errors",
	"flag":     "flag",
	"fmt":      "fmt",
	"io":       "io",
	"os":       "os",
	"runtime":  "runtime",
	"slices":   "slices",
	"strconv":  "strconv",
	"strings":  "strings",
	"sync":     "sync",
	"time":     "time",
}

// undefinedName matches a compile error about a name used but never
// declared or imported: "./server.go:12:8: undefined: unix".
var undefinedName = regexp.MustCompile(`(?m)^\S*?([^/\s]+\.go):\d+:\d+: undefined: (\w+)$`)

// CompileHint explains the compile errors in out (what go build printed)
// that come from a forgotten import: it names the import to add to each
// file. It returns "" when there are none.
func CompileHint(out string) string {
	var hints []string
	seen := map[string]bool{}
	for _, m := range undefinedName.FindAllStringSubmatch(out, -1) {
		file, name := m[1], m[2]
		path, ok := packagePaths[name]
		if !ok || seen[file+" "+path] {
			continue
		}
		seen[file+" "+path] = true
		hints = append(hints, fmt.Sprintf("%s uses package %s without importing it: add %q to the import block at its top (import %q).", file, name, path, path))
	}
	return strings.Join(hints, " ")
}

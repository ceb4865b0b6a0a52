package milestones

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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

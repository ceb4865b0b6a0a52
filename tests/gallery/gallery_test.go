package gallery

import "testing"

// TestNamesAreUnique makes sure that no two broken programs of a stage
// share a name: the name is the subtest's, and Find, which the lessons use,
// returns only the first of them.
func TestNamesAreUnique(t *testing.T) {
	for n, table := range galleries {
		seen := map[string]bool{}
		for _, b := range table {
			if seen[b.name] {
				t.Errorf("stage %d's gallery has two broken programs called %q: give each its own name", n, b.name)
			}
			seen[b.name] = true
		}
	}
}

package harness

import "time"

// CountLines returns how many stdout lines so far match.
func (p *Process) CountLines(match func(string) bool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range p.lines {
		if l.Who == Stdout && match(l.Text) {
			n++
		}
	}
	return n
}

// WaitCount waits until at least n stdout lines, counted from the start
// of the output, match. Unlike WaitLine it neither uses nor moves the
// cursor. It returns how many matched, with an *ExitedError if the program
// ended first, or ErrTimeout.
func (p *Process) WaitCount(timeout time.Duration, n int, match func(string) bool) (int, error) {
	count, next := 0, 0 // matches among p.lines[:next]
	err := p.await(timeout, func() (bool, error) {
		for ; next < len(p.lines); next++ {
			if l := p.lines[next]; l.Who == Stdout && match(l.Text) {
				count++
			}
		}
		if count >= n {
			return true, nil
		}
		if p.exit != nil {
			return true, &ExitedError{*p.exit}
		}
		return false, nil
	})
	return count, err
}

package main

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress says where to show a run's progress. The zero value shows none.
type progress struct {
	w   io.Writer // nil for no progress
	tty bool      // w is a terminal: redraw one line in place
}

// progressTo returns the progress display for f: one line redrawn in place
// when f is a terminal, otherwise a plain line every second, which a log
// file or a CI job shows sensibly.
func progressTo(f *os.File) progress {
	fi, err := f.Stat()
	return progress{w: f, tty: err == nil && fi.Mode()&os.ModeCharDevice != 0}
}

// start shows r's progress until the returned function is called, which
// also clears a line drawn in place.
func (p progress) start(r *runner) (stop func()) {
	if p.w == nil {
		return func() {}
	}
	interval := time.Second
	if p.tty {
		interval = 200 * time.Millisecond
	}
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		lastCount, lastAt := int64(0), time.Now()
		for {
			select {
			case <-quit:
				if p.tty {
					fmt.Fprint(p.w, "\r\x1b[K")
				}
				return
			case now := <-tick.C:
				count := r.progressCount()
				rate := float64(count-lastCount) / now.Sub(lastAt).Seconds()
				lastCount, lastAt = count, now
				line := p.line(r, now, count, rate)
				if p.tty {
					fmt.Fprintf(p.w, "\r%s\x1b[K", line)
				} else {
					fmt.Fprintln(p.w, line)
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}

// progressCount is what the progress line counts: replies, or bytes in
// the bulk modes.
func (r *runner) progressCount() int64 {
	if isBulk(r.cfg.mode) {
		return r.bytes.Load()
	}
	return r.replies.Load()
}

// line describes the run's state in one line; count and rate are
// progressCount and how fast it grew.
func (p progress) line(r *runner, now time.Time, count int64, rate float64) string {
	var what string
	switch r.phase.Load() {
	case warmingUp:
		what = fmt.Sprintf("opening %d/%d conns (%d not answered yet)", r.opened.Load(), r.cfg.conns, r.waiting.Load())
	case measuring:
		elapsed := now.Sub(time.Unix(0, r.measureStart.Load()))
		what = fmt.Sprintf("measuring %.1fs/%v, %d conns", elapsed.Seconds(), r.cfg.duration, r.opened.Load())
	case draining:
		if isBulk(r.cfg.mode) {
			what = "finishing the transfers under way"
			break
		}
		what = fmt.Sprintf("waiting for the last replies (up to %v)", r.cfg.timeout)
	}
	if isBulk(r.cfg.mode) {
		return fmt.Sprintf("loadgen: %s, %d MB (%.0f MB/s), %d transfers, %d errors", what, count/1e6, rate/1e6, r.replies.Load(), r.errorCount())
	}
	return fmt.Sprintf("loadgen: %s, %d replies (%.0f/s), %d errors", what, count, rate, r.errorCount())
}

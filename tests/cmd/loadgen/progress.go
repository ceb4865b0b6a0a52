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
		lastReplies, lastAt := int64(0), time.Now()
		for {
			select {
			case <-quit:
				if p.tty {
					fmt.Fprint(p.w, "\r\x1b[K")
				}
				return
			case now := <-tick.C:
				replies := r.replies.Load()
				rate := float64(replies-lastReplies) / now.Sub(lastAt).Seconds()
				lastReplies, lastAt = replies, now
				line := p.line(r, now, replies, rate)
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

// line describes the run's state in one line.
func (p progress) line(r *runner, now time.Time, replies int64, rate float64) string {
	var what string
	switch r.phase.Load() {
	case warmingUp:
		what = fmt.Sprintf("opening %d/%d conns (%d not answered yet)", r.opened.Load(), r.cfg.conns, r.waiting.Load())
	case measuring:
		elapsed := now.Sub(time.Unix(0, r.measureStart.Load()))
		what = fmt.Sprintf("measuring %.1fs/%v, %d conns", elapsed.Seconds(), r.cfg.duration, r.opened.Load())
	default:
		what = fmt.Sprintf("waiting for the last replies (up to %v)", r.cfg.timeout)
	}
	return fmt.Sprintf("loadgen: %s, %d replies (%.0f/s), %d errors", what, replies, rate, r.errorCount())
}

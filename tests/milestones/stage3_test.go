package milestones

import (
	"os/exec"
	"testing"
	"time"

	"workbook/tests/harness"
)

// TestWaitStuckWindowScales checks that a sender which pauses longer than
// the unscaled quiet window, but well within the scaled one, is not taken
// for stuck: on a slow machine, a pause is not back-pressure.
func TestWaitStuckWindowScales(t *testing.T) {
	t.Setenv(harness.ScaleEnv, "10") // the window becomes 3 s

	const steps, pause = 4, 500 * time.Millisecond
	s := &sender{done: make(chan struct{})}
	s.starts()
	go func() {
		defer close(s.done)
		defer s.finishes()
		for range steps {
			// Each write takes a pause: a receiver slowed down, not
			// stopped. (The pauses shape the traffic, as in SendPieces.)
			s.begin()
			time.Sleep(pause)
			s.end(1)
		}
	}()
	// A process asleep, as the server is when it has stopped reading.
	sleeper := exec.Command("sleep", "30")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer sleeper.Wait()
	defer sleeper.Process.Kill()
	if got := s.waitStuck(&T{}, sleeper.Process.Pid); got != steps {
		t.Errorf("waitStuck returned after %d of %d pieces; want it to wait for all of them", got, steps)
	}
}

// TestWaitStuckNeedsABlockedWrite checks both sides of what makes a sender
// stuck: a write the kernel holds back, with the server asleep. A sender
// that makes no progress only because it is not writing (the check was
// kept off the CPU) is not stuck; one whose write has been held back for
// the whole quiet window is.
func TestWaitStuckNeedsABlockedWrite(t *testing.T) {
	sleeper := exec.Command("sleep", "30")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer sleeper.Wait()
	defer sleeper.Process.Kill()

	idle := &sender{done: make(chan struct{})}
	idle.starts() // with more to send, but not writing
	time.AfterFunc(2*time.Second, func() { close(idle.done) })
	start := time.Now()
	idle.waitStuck(&T{}, sleeper.Process.Pid)
	if waited := time.Since(start); waited < 2*time.Second {
		t.Errorf("a sender that was not writing was taken for stuck after %v", waited)
	}

	blocked := &sender{done: make(chan struct{})}
	blocked.starts()
	defer close(blocked.done)
	blocked.begin() // a write that never ends
	start = time.Now()
	blocked.waitStuck(&T{}, sleeper.Process.Pid)
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("a sender whose write was held back was taken for stuck only after %v", waited)
	}
}

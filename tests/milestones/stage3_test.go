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
	go func() {
		defer close(s.done)
		for range steps {
			// The pauses shape the traffic, as in SendPieces: a sender slowed
			// down, not stopped.
			time.Sleep(pause)
			s.sent.Add(1)
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

package harness

import (
	"os/exec"
	"testing"
	"time"
)

// sleeper starts a process that is asleep, as a server is when it has
// stopped reading, and kills it when the test ends.
func sleeper(t *testing.T) int {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd.Process.Pid
}

// TestWaitStuckWindowScales checks that a sender which pauses longer than
// the unscaled quiet window, but well within the scaled one, is not taken
// for stuck: on a slow machine, a pause is not back-pressure.
func TestWaitStuckWindowScales(t *testing.T) {
	t.Setenv(ScaleEnv, "10") // the window becomes 3 s
	pid := sleeper(t)

	const steps, pause = 4, 500 * time.Millisecond
	var s Sender
	done := make(chan struct{})
	s.Starts()
	go func() {
		defer close(done)
		defer s.Finishes()
		for range steps {
			// Each write takes a pause: a receiver slowed down, not
			// stopped. (The pauses shape the traffic, as in SendPieces.)
			s.Begin()
			time.Sleep(pause)
			s.End(1)
		}
	}()
	got, err := s.WaitStuck(pid, done)
	if err != nil || got != steps {
		t.Errorf("WaitStuck returned after %d of %d pieces (error: %v); want it to wait for all of them", got, steps, err)
	}
}

// TestWaitStuckNeedsABlockedWrite checks both sides of what makes a sender
// stuck: a write the kernel holds back, with the server asleep. A sender
// that makes no progress only because it is not writing (the check was
// kept off the CPU) is not stuck; one whose write has been held back for
// the whole quiet window is.
func TestWaitStuckNeedsABlockedWrite(t *testing.T) {
	pid := sleeper(t)

	var idle Sender
	idle.Starts() // with more to send, but not writing
	done := make(chan struct{})
	time.AfterFunc(2*time.Second, func() { close(done) })
	start := time.Now()
	idle.WaitStuck(pid, done)
	if waited := time.Since(start); waited < 2*time.Second {
		t.Errorf("a sender that was not writing was taken for stuck after %v", waited)
	}

	var blocked Sender
	blocked.Starts()
	blocked.Begin() // a write that never ends
	start = time.Now()
	blocked.WaitStuck(pid, nil)
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("a sender whose write was held back was taken for stuck only after %v", waited)
	}
}

// TestWaitStuckGivesUp checks that WaitStuck ends with an error, rather
// than waiting for ever, when the sender never stops.
func TestWaitStuckGivesUp(t *testing.T) {
	t.Setenv(ScaleEnv, "0.1") // the deadline becomes 3 s
	var s Sender
	stop := make(chan struct{})
	defer close(stop)
	go func() { // a sender that always makes progress
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
				s.Begin()
				s.End(1)
			}
		}
	}()
	if _, err := s.WaitStuck(sleeper(t), nil); err == nil {
		t.Error("WaitStuck returned no error for a sender that never stopped")
	}
}

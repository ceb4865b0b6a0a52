package harness

import (
	"bytes"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Pause stops the program with SIGSTOP and waits until the kernel has
// stopped it (state T in /proc/PID/stat). While it is stopped, whatever
// happens to its sockets piles up, and when Resume lets it go on, its next
// epoll_wait reports all of it in one batch: the way to make events that
// a busy program meets only by chance meet every time.
func (p *Process) Pause() error {
	if err := p.Signal(syscall.SIGSTOP); err != nil {
		return err
	}
	deadline := time.Now().Add(Scaled(5 * time.Second))
	for {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Pid()))
		if err != nil {
			return err
		}
		// The state is the field after the command name, which is in
		// parentheses and may hold spaces.
		if i := bytes.LastIndexByte(b, ')'); i >= 0 && i+2 < len(b) && b[i+2] == 'T' {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("process %d did not stop within %v of SIGSTOP", p.Pid(), Scaled(5*time.Second))
		}
		time.Sleep(time.Millisecond) // polling /proc: no event says "stopped"
	}
}

// Resume lets a program stopped by Pause go on, with SIGCONT.
func (p *Process) Resume() error {
	return p.Signal(syscall.SIGCONT)
}

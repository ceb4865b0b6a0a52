package tests

// Stage 3's half-done Steps: programs as a learner has them between two
// Steps of the lesson, or halfway through one, found on a walk through the
// lesson. Each names what the hint must say at that moment.

func init() {
	gallery = append(gallery,
		mistake{
			// Step 12 done in signal.go, but not yet in handle.
			name: "eventfd-without-a-case-in-handle", stage: 3,
			edits: []edit{{"server.go", `	case s.wake:
		s.log.printf("[INFO] Server shutting down")
		return true, nil
`, ``}},
			fails: map[string]string{"signals": "add a case for s.wake"},
		},
		mistake{
			// The same, with no nil check in handle either: the eventfd's
			// event reaches serveClient with no client, and it panics.
			name: "eventfd-without-a-case-or-a-nil-check", stage: 3,
			edits: []edit{{"server.go", `	case s.wake:
		s.log.printf("[INFO] Server shutting down")
		return true, nil
`, ``}, {"server.go", `		if c := s.clients[fd]; c != nil {
			s.serveClient(c, ev.Events)
		}`, `		s.serveClient(s.clients[fd], ev.Events)`}},
			fails: map[string]string{"signals": "It panicked"},
		},
		mistake{
			// Step 7 done, Steps 8 and 9 not: interest is still the
			// skeleton's. Replies that did not fit wait for the next
			// event, and after end of file EPOLLIN is still asked for, so
			// every event answers the unfinished line once more.
			name: "interest-not-written-yet", stage: 3,
			edits: []edit{{"client.go", `	var events uint32
	if !c.eof && len(c.out) < maxPending {
		events |= unix.EPOLLIN
	}
	if len(c.out) > 0 {
		events |= unix.EPOLLOUT
	}
	return events`, `	return unix.EPOLLIN`}},
			fails: map[string]string{
				"stalled":    "ask for EPOLLOUT",
				"memory":     "stop asking epoll for EPOLLIN",
				"half-close": "The unfinished line was answered again and again",
			},
		},
		mistake{
			// Step 11's max-clients done, its EMFILE part not.
			name: "out-of-descriptors-is-fatal", stage: 3,
			edits: []edit{{"accept.go", `			if !s.refuseWithSpare() {
				return nil
			}
			continue`, `			return os.NewSyscallError("accept4", err)`}},
			// The server may end while a client connects, or while the check
			// waits for its line: either way the failure quotes the error.
			fails: map[string]string{"emfile": "accept4: too many open files"},
		},
	)
}

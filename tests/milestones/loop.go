package milestones

import (
	"errors"
	"fmt"

	"workbook/tests/harness"
)

// What the checks of an event loop share, whatever it serves.

// expectFirstWait reads the line the server prints after its listening
// line, which must be DebugLine: before its first EpollWait, with no client
// yet, an event loop says that it waits. step is the Step to revisit, and
// silent the hint for a server that prints nothing more.
func expectFirstWait(t *T, srv *Server, step int, silent string) {
	line, err := srv.NextLine(waitOutput)
	if errors.Is(err, harness.ErrTimeout) {
		t.Fail(Failure{
			Summary: fmt.Sprintf("after its listening line the server printed nothing more within %v", harness.Scaled(waitOutput)),
			Want:    DebugLine,
			Step:    step,
			Hint:    silent,
		})
	}
	if err != nil {
		t.failWaiting(srv.Process, err, DebugLine, step)
	}
	if line != DebugLine {
		t.Fail(Failure{
			Summary: "the line after the listening line should say that the loop waits",
			Want:    DebugLine,
			Got:     line,
			Step:    step,
			Hint:    lineHint(DebugLine, line),
		})
	}
}

package milestones

import (
	"errors"
	"fmt"

	"workbook/tests/harness"
)

// Exchange sends each line on c in turn and checks its reply before the
// next: the line reversed, as a server of the workbook answers it. step is
// the Step that answers lines. It returns the [CLIENT MESSAGE] lines the
// server should print for them.
func (t *T) Exchange(c *harness.Conn, step int, lines ...string) []string {
	var logs []string
	for _, l := range lines {
		if err := c.Send(l); err != nil {
			t.Failf("%s could not send to the server: %v", c.Name(), err)
		}
		t.ExpectReply(c, l, reply(l), step)
		logs = append(logs, MessageLine(l))
	}
	return logs
}

// ExpectClosed checks that the server closes c's connection without
// sending anything on it. why says what the server should have done, and
// sent what c sent last, for the failure.
func (t *T) ExpectClosed(c *harness.Conn, why, sent string, step int) {
	got, err := c.ReadToEOF(waitReply)
	if got != "" || errors.Is(err, harness.ErrTimeout) {
		t.Fail(Failure{
			Summary: why,
			Sent:    sent,
			Want:    "the connection closed, and nothing sent",
			Got:     fmt.Sprintf("%q, then %v", got, errOrEOF(err)),
			Step:    step,
		})
	}
}

// errOrEOF says how a read from a connection ended: at end of file when
// err is nil.
func errOrEOF(err error) string {
	switch {
	case err == nil:
		return "end of file"
	case errors.Is(err, harness.ErrTimeout):
		return "nothing more, and the connection still open"
	}
	return err.Error()
}

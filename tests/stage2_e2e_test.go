package tests

import (
	"testing"

	"workbook/tests/milestones"
)

// TestClientAgainstServer runs the Stage 2 solution against the Stage 1
// solution, as a learner does at Milestone 2 of the Stage 2 lesson: both
// programs' exact output, and how each ends.
func TestClientAgainstServer(t *testing.T) {
	t.Parallel()
	serverBin := build(t, "solutions/stage1-server")
	clientBin := build(t, "solutions/stage2-client")
	story(t, func(t *milestones.T) {
		srv := t.StartOtherServer(serverBin, 0)
		c := startClient(t, clientBin, srv.Port)
		t.ExpectLine(srv.Process, milestones.ConnectedLine, 0)
		for _, tc := range []struct{ typed, client, server string }{
			{"hello\n", "[SERVER MESSAGE] olleh", "[CLIENT MESSAGE] hello"},
			{"h\u00e9llo w\u00f6rld\n", "[SERVER MESSAGE] dlr\u00f6w oll\u00e9h", "[CLIENT MESSAGE] h\u00e9llo w\u00f6rld"},
			{"\n", "[SERVER MESSAGE] ", "[CLIENT MESSAGE] "},
			{"esc\x1b[2J\r\n", `[SERVER MESSAGE] J2[\x1bcse`, `[CLIENT MESSAGE] esc\x1b[2J`},
			{"no newline", "[SERVER MESSAGE] enilwen on", "[CLIENT MESSAGE] no newline"},
		} {
			t.WriteStdin(c, tc.typed)
			if tc.typed == "no newline" {
				t.CloseStdin(c) // the end of a piped file whose last line has no newline
			}
			t.ExpectLine(srv.Process, tc.server, 0)
			t.ExpectLine(c, tc.client, 0)
		}
		t.ExpectExit(c, 0, 0)
		t.ExpectLine(srv.Process, milestones.ClosingLine, 0)
		t.ExpectExit(srv.Process, 1, 0)
		t.ExpectOutput(c, []string{
			milestones.ClientConnectedLine,
			"[SERVER MESSAGE] olleh",
			"[SERVER MESSAGE] dlr\u00f6w oll\u00e9h",
			"[SERVER MESSAGE] ",
			`[SERVER MESSAGE] J2[\x1bcse`,
			"[SERVER MESSAGE] enilwen on",
		}, 0)
	})
}

package tests

import (
	"testing"
)

// TestClientAgainstServer runs the Stage 2 solution against the Stage 1
// solution, as a learner does at Milestone 2 of the Stage 2 lesson: both
// programs' exact output, and how each ends.
func TestClientAgainstServer(t *testing.T) {
	t.Parallel()
	serverBin := build(t, "solutions/stage1-server")
	clientBin := build(t, "solutions/stage2-client")
	tr := newTranscript(t)

	srv, port := startServer(t, serverBin, tr)
	c := startClient(t, clientBin, tr, port)
	expectLine(t, srv, "[INFO] Client connected to server")
	for _, tc := range []struct{ typed, client, server string }{
		{"hello\n", "[SERVER MESSAGE] olleh", "[CLIENT MESSAGE] hello"},
		{"h\u00e9llo w\u00f6rld\n", "[SERVER MESSAGE] dlr\u00f6w oll\u00e9h", "[CLIENT MESSAGE] h\u00e9llo w\u00f6rld"},
		{"\n", "[SERVER MESSAGE] ", "[CLIENT MESSAGE] "},
		{"esc\x1b[2J\r\n", `[SERVER MESSAGE] J2[\x1bcse`, `[CLIENT MESSAGE] esc\x1b[2J`},
		{"no newline", "[SERVER MESSAGE] enilwen on", "[CLIENT MESSAGE] no newline"},
	} {
		if err := c.WriteStdin(tc.typed); err != nil {
			t.Fatal(err)
		}
		if tc.typed == "no newline" {
			c.CloseStdin() // the end of a piped file whose last line has no newline
		}
		expectLine(t, srv, tc.server)
		expectLine(t, c, tc.client)
	}
	expectExit(t, c, 0)
	expectLine(t, srv, "[INFO] Client disconnected. Closing server")
	expectExit(t, srv, 1)
	expectStdout(t, "the client", c,
		"[INFO] Connected to server",
		"[SERVER MESSAGE] olleh",
		"[SERVER MESSAGE] dlr\u00f6w oll\u00e9h",
		"[SERVER MESSAGE] ",
		`[SERVER MESSAGE] J2[\x1bcse`,
		"[SERVER MESSAGE] enilwen on",
	)
}

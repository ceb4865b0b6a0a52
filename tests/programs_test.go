package tests

import (
	"context"
	"strconv"
	"testing"

	"workbook/tests/harness"
	"workbook/tests/milestones"
)

// This file has what the tests need that run several programs together,
// the way a learner runs them in several terminals: the Stage 2 client
// against the Stage 1 server, and the experiments of the Stage 2 lesson.
// Each such test is told as a check is, with a milestones.T, so that it
// waits and fails as a check does and a failure shows the whole transcript.

// story runs f as a check of the programs it starts (with T.StartOther and
// T.StartOtherServer), and fails t with what happened if f fails.
func story(t *testing.T, f func(t *milestones.T)) {
	t.Helper()
	c := &milestones.Check{ID: t.Name(), Kind: milestones.Challenge, Title: t.Name(), Run: f}
	res := milestones.Run(context.Background(), c, milestones.Program{})
	if res.Status != milestones.Passed {
		t.Fatalf("%s", failureText(&milestones.Stage{}, res, ""))
	}
}

// startClient starts the Stage 2 client bin against port and waits until it
// says it is connected.
func startClient(t *milestones.T, bin string, port int) *harness.Process {
	p := t.StartOther(bin, "-port", strconv.Itoa(port))
	t.ExpectLine(p, milestones.ClientConnectedLine, 0)
	return p
}

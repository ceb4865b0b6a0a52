package tests

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestCheckCommandOutOfDescriptors runs Stage 3's 1,000-client challenge
// with the check's own limit on open descriptors far below 1,000. The check
// opens a socket for every client and the server can accept no more than
// the check opened, so the check runs out first. That is the machine's
// limit, not the learner's mistake: the check must say so, name no Step,
// and say how to raise the limit.
func TestCheckCommandOutOfDescriptors(t *testing.T) {
	t.Parallel()
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("needs prlimit (util-linux) to run the check with few file descriptors")
	}
	cmd := exec.Command(prlimit, "--nofile=400:400", "--", checkCommand(t), "-solutions", "-challenges", "-run", "^thousand$", "3")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	b, err := cmd.CombinedOutput()
	out := string(b)
	if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 {
		t.Fatalf("the check ended with %v; want exit status 1. Output:\n%s", err, out)
	}
	for _, want := range []string{
		"the check itself could not open a socket for a client",
		"not a mistake in your program",
		"ulimit -n",
		"Next: Stage 3 stopped at Challenge: 1,000 clients at once; its failure above says why",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"revisit:", "try it by hand"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("the output shows %q, for a limit of the machine's:\n%s", unwanted, out)
		}
	}
}

// Package milestones defines the workbook's milestones and challenges: one
// definition each, used both by "go test" (against the reference solutions)
// and by the learner's check command.
//
// A check runs a built program through the harness and either returns or
// fails with a Failure that says what was sent, what was expected, what came
// back, and which Step of the lesson to revisit. It knows nothing about
// terminals: package report turns results into text.
package milestones

import "fmt"

// Kind tells milestones from challenges.
type Kind int

// The kinds of check.
const (
	Milestone Kind = iota // a checkpoint of the lesson: every learner passes these
	Challenge             // beyond the lesson: optional, shown apart
)

// A Check is one milestone or challenge.
type Check struct {
	ID    string // short and stable: "M1", "crlf"; used in test names
	Kind  Kind
	Title string // what it checks, as a phrase: "listens and accepts a client"
	Step  int    // the README Step to revisit when it fails
	Hint  string // what to do about a failure, when no more specific hint applies
	// Repro is how to reproduce the check by hand: commands to paste, each
	// in its own terminal. "{run}" stands for the command that runs the
	// program being checked, such as "go run ./stage1-server".
	Repro []string
	Run   func(t *T)
}

// Name returns how the check is shown: "Milestone 1: listens and accepts a
// client" or "Challenge: lines split and merged".
func (c *Check) Name() string {
	if c.Kind == Milestone {
		return fmt.Sprintf("Milestone %s: %s", c.ID[1:], c.Title)
	}
	return "Challenge: " + c.Title
}

// A Stage is one program of the workbook, with its lesson and its checks.
type Stage struct {
	Number int
	Dir    string   // the skeleton's directory, and the solution's under solutions/
	Title  string   // "a blocking TCP server"
	Steps  []string // the README's Step titles; Steps[0] is Step 1
	Checks []*Check // milestones in order, then challenges
}

// StepTitle returns the title of Step n, or "" if there is none.
func (s *Stage) StepTitle(n int) string {
	if n < 1 || n > len(s.Steps) {
		return ""
	}
	return s.Steps[n-1]
}

// Milestones returns the stage's milestones, in order.
func (s *Stage) Milestones() []*Check { return s.ofKind(Milestone) }

// Challenges returns the stage's challenges.
func (s *Stage) Challenges() []*Check { return s.ofKind(Challenge) }

func (s *Stage) ofKind(k Kind) []*Check {
	var out []*Check
	for _, c := range s.Checks {
		if c.Kind == k {
			out = append(out, c)
		}
	}
	return out
}

// A Failure says why a check failed.
type Failure struct {
	Summary string // one sentence: what went wrong
	Sent    string // the bytes the check sent, if that helps
	Want    any    // what was expected: a string or a []string
	Got     any    // what came instead, of the same type as Want
	Hint    string // a hint for this symptom; the check's Hint when empty
	Step    int    // the Step to revisit; the check's Step when 0, none when NoStep
}

// NoStep is the Step of a failure that is not the program's: the machine
// stopped the check (it ran out of descriptors, say), and no Step of the
// lesson is to blame.
const NoStep = -1

package milestones

import (
	"context"
	"errors"
	"os"
	"time"

	"workbook/tests/harness"
)

// Status is how a check came out.
type Status int

// The statuses of a check.
const (
	NotRun Status = iota
	Passed
	Failed
)

// A Result is the outcome of one check.
type Result struct {
	Check   *Check
	Status  Status
	Failure *Failure        // set when Status is Failed
	Events  []harness.Event // the transcript
	Elapsed time.Duration
}

// Step returns the Step to revisit for a failed result: the one its
// failure names, else the check's; 0 for a failure that is not the
// program's (NoStep).
func (r *Result) Step() int {
	switch {
	case r.Failure != nil && r.Failure.Step == NoStep:
		return 0
	case r.Failure != nil && r.Failure.Step > 0:
		return r.Failure.Step
	}
	return r.Check.Step
}

// Run runs one check against prog. When ctx is done before the check is,
// the programs it started are stopped, so that it ends at once; what it
// reports then says nothing about the program.
func Run(ctx context.Context, c *Check, prog Program) (res Result) {
	t := &T{ctx: ctx, prog: prog, tr: harness.NewTranscript()}
	start := time.Now()
	defer func() {
		v := recover()
		if _, ok := v.(errFailed); v != nil && !ok {
			panic(v)
		}
		// A check that failed stops its programs before anything else: a
		// connection the cleanups close is news to a program still running,
		// which could then reach a Step not done yet, after the fact, and
		// take the blame from the real cause.
		if t.failure != nil {
			for _, p := range t.programs() {
				p.Stop()
			}
		}
		// Cleanups first: stopping the programs also collects the last of
		// their output.
		for i := len(t.cleanups) - 1; i >= 0; i-- {
			t.cleanups[i]()
		}
		if t.failure != nil {
			t.nameCause(prog)
		}
		res = Result{Check: c, Status: Passed, Events: t.tr.Events(), Elapsed: time.Since(start)}
		if t.failure != nil {
			res.Status, res.Failure = Failed, t.failure
		}
	}()
	c.Run(t)
	return res
}

// A StageResult is the outcome of checking one stage.
type StageResult struct {
	Stage    *Stage
	Dir      string              // what was checked
	BuildErr *harness.BuildError // set when it did not compile; nothing ran
	Results  []Result            // one per check of the stage, in order
}

// Passed reports whether every check that ran passed, and the milestones all ran.
func (r *StageResult) Passed() bool {
	if r.BuildErr != nil {
		return false
	}
	for _, res := range r.Results {
		if res.Status == Failed || (res.Status == NotRun && res.Check.Kind == Milestone) {
			return false
		}
	}
	return true
}

// MilestonesPassed reports whether every milestone passed.
func (r *StageResult) MilestonesPassed() bool {
	if r.BuildErr != nil {
		return false
	}
	for _, res := range r.Results {
		if res.Check.Kind == Milestone && res.Status != Passed {
			return false
		}
	}
	return true
}

// FirstFailure returns the first failed result, or nil.
func (r *StageResult) FirstFailure() *Result {
	for i := range r.Results {
		if r.Results[i].Status == Failed {
			return &r.Results[i]
		}
	}
	return nil
}

// Options says which checks RunStage runs, and how.
type Options struct {
	Challenges bool // run the challenges too, once the milestones pass
	// Select, when set, narrows the challenges down to those it reports
	// true for. (Milestones always run, in order.)
	Select func(c *Check) bool
	// KeepGoing runs every milestone, and the challenges, even after a
	// milestone fails. The check command stops at the first failure; tests
	// of the checks themselves want to see every outcome.
	KeepGoing bool
	// BinDir is where to put the built program; a temporary directory,
	// removed afterwards, when empty.
	BinDir string
	// Progress, if set, is called before each check runs (res is nil) and
	// after it (res is its result).
	Progress func(c *Check, res *Result)
	// Build, if set, builds the program in place of harness.Build, for a
	// caller that shows the build's progress.
	Build func(ctx context.Context, dir, outDir string) (string, error)
	// Run, if set, runs each check instead of the package's Run, which it
	// should call: a test of the checks uses it to limit how many heavy
	// checks run at once.
	Run func(ctx context.Context, c *Check, prog Program) Result
}

// RunStage builds the main package in dir and runs the stage's checks
// against it. run is how a learner runs that directory by hand, for repro
// commands. Milestones run in order and stop at the first failure; the
// checks not run are reported as NotRun. When ctx is done, the check
// running is stopped, no more start, and RunStage returns ctx's error.
func RunStage(ctx context.Context, st *Stage, dir, run string, opt Options) (StageResult, error) {
	sr := StageResult{Stage: st, Dir: dir}
	binDir := opt.BinDir
	if binDir == "" {
		tmp, err := os.MkdirTemp("", "workbook-check-")
		if err != nil {
			return sr, err
		}
		defer os.RemoveAll(tmp)
		binDir = tmp
	}
	build := opt.Build
	if build == nil {
		build = harness.Build
	}
	bin, err := build(ctx, dir, binDir)
	if err != nil && !errors.As(err, &sr.BuildErr) {
		return sr, err // the build did not run, or was interrupted
	}
	if sr.BuildErr != nil {
		for _, c := range st.Checks {
			sr.Results = append(sr.Results, Result{Check: c})
		}
		return sr, ctx.Err()
	}
	sr.Results = RunChecks(ctx, st, Program{Bin: bin, Run: run, Dir: dir}, opt)
	return sr, ctx.Err()
}

// RunChecks runs the stage's checks against prog, built already, as
// RunStage does, and returns their results, one per check in order.
func RunChecks(ctx context.Context, st *Stage, prog Program, opt Options) []Result {
	runOne := opt.Run
	if runOne == nil {
		runOne = Run
	}
	var results []Result
	stopped := false
	for _, c := range st.Checks {
		res := Result{Check: c}
		skip := stopped || (c.Kind == Challenge && (!opt.Challenges || (opt.Select != nil && !opt.Select(c))))
		if !skip && ctx.Err() == nil {
			if opt.Progress != nil {
				opt.Progress(c, nil)
			}
			res = runOne(ctx, c, prog)
			if ctx.Err() != nil {
				results = append(results, Result{Check: c}) // interrupted: not run to its end
				continue
			}
			if opt.Progress != nil {
				opt.Progress(c, &res)
			}
			if res.Status == Failed && c.Kind == Milestone && !opt.KeepGoing {
				stopped = true
			}
		}
		results = append(results, res)
	}
	return results
}

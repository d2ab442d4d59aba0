package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"kuberunner/executors"
)

// cleanupBudget is how long cleanup may take after the first interrupt: long
// enough for the delete requests of a healthy API server, short enough that
// Ctrl-C feels like it works, and a second short of the 10 s within which
// the process promises to be gone, leaving time to write the job's end.
// Without an interrupt, executors.Run's own timeout applies.
const cleanupBudget = 9 * time.Second

// errCleanupBudget is the cause of a cleanup context cut short by the
// budget.
var errCleanupBudget = fmt.Errorf("cleanup took longer than the %v allowed after an interrupt", cleanupBudget)

// InterruptedError is the cause of a job context cancelled by a signal.
type InterruptedError struct{ Signal os.Signal }

func (e *InterruptedError) Error() string { return fmt.Sprintf("interrupted by %v", e.Signal) }

// interrupt turns signals into the two stages of stopping a job: the first
// cancels the job and starts the cleanup budget; the second exits at once,
// for the operator who would rather leave pods behind than wait.
type interrupt struct {
	job     context.Context // cancelled by the first signal
	budget  context.Context // cancelled cleanupBudget after the first signal
	stopped chan struct{}
}

// watchInterrupts reads sigs until stop is called. exit is os.Exit outside
// tests; budget is cleanupBudget outside tests.
func watchInterrupts(sigs <-chan os.Signal, budget time.Duration, stderr io.Writer, exit func(int)) (*interrupt, func()) {
	job, cancelJob := context.WithCancelCause(context.Background())
	limit, cancelBudget := context.WithCancelCause(context.Background())
	in := &interrupt{job: job, budget: limit, stopped: make(chan struct{})}
	go func() {
		var sig os.Signal
		select {
		case sig = <-sigs:
		case <-in.stopped:
			return
		}
		fmt.Fprintf(stderr, "Received %v: cancelling the job; cleanup may take up to %v. Send it again to exit at once.\n", sig, budget)
		cancelJob(&InterruptedError{Signal: sig})
		timer := time.AfterFunc(budget, func() { cancelBudget(errCleanupBudget) })
		defer timer.Stop()
		select {
		case sig = <-sigs:
			fmt.Fprintf(stderr, "Received %v again: exiting without waiting for cleanup; the job's pods and secrets may remain.\n", sig)
			exit(ExitInterrupted)
		case <-in.stopped:
		}
	}()
	return in, func() {
		close(in.stopped)
		cancelJob(nil)
		cancelBudget(nil)
	}
}

// interrupted reports the signal that cancelled the job, if one did.
func (in *interrupt) interrupted() (*InterruptedError, bool) {
	var ie *InterruptedError
	ok := errors.As(context.Cause(in.job), &ie)
	return ie, ok
}

// budgetedCleanup bounds an executor's Cleanup by the interrupt's budget.
// executors.Run gives Cleanup a context detached from the job's, so that a
// cancelled job still cleans up; this wrapper cancels that context too once
// the budget after an interrupt is spent, so a hung API server cannot hold
// the process. Without an interrupt it changes nothing.
type budgetedCleanup struct {
	executors.Executor
	budget context.Context
}

func (b budgetedCleanup) Cleanup(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(b.budget, func() { cancel(context.Cause(b.budget)) })
	defer stop()
	return b.Executor.Cleanup(ctx)
}

package executors

import (
	"context"
	"fmt"
	"time"
)

// cleanupTimeout bounds Cleanup when the job's context is already gone: long
// enough for two delete-collection requests on a slow API server.
const cleanupTimeout = 2 * time.Minute

// Run drives one job through an executor's lifecycle: Prepare, Run, and
// Cleanup whatever happened, with a context that survives the job's own
// cancellation so that a cancelled job still removes its pods and secrets.
// The job's error is returned; a cleanup failure is written to the build
// log, because it does not change the job's result.
func Run(ctx context.Context, e Executor, opts Options) error {
	err := e.Prepare(ctx, opts)
	if err == nil {
		err = e.Run(ctx)
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeoutOf(e))
	defer cancel()
	if cerr := e.Cleanup(cctx); cerr != nil && opts.Log != nil {
		opts.Log.Warningln(fmt.Sprintf("Cleanup: %v", cerr))
	}
	return err
}

// cleanupTimeoutOf is the executor's own bound on Cleanup, when it has one
// (the kubernetes executor's cleanup_resources_timeout), else
// cleanupTimeout.
func cleanupTimeoutOf(e Executor) time.Duration {
	if t, ok := e.(interface{ CleanupTimeout() time.Duration }); ok && t.CleanupTimeout() > 0 {
		return t.CleanupTimeout()
	}
	return cleanupTimeout
}

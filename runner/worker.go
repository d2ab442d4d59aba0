package runner

import (
	"context"
	"errors"
	"time"

	"kuberunner/common/config"
	"kuberunner/network"
)

// forbiddenInARow is how many 403s in a row pause a runner.
const forbiddenInARow = 3

// ask is one of a runner's request_concurrency request loops. It takes a
// slot of `concurrent` and of the runner's `limit` before each request, so
// a job that arrives always has room; it asks again at once after a job,
// and after check_interval when there was none. asking ends the requests;
// jobs run under jobsCtx, which only an abort ends.
func (d *Daemon) ask(asking, jobsCtx context.Context, r *runnerState) {
	interval := time.Duration(d.cfg.CheckInterval) * time.Second
	forbidden := 0
	for asking.Err() == nil {
		if !d.concurrent.acquire(asking) {
			return
		}
		if !r.limit.acquire(asking) {
			d.concurrent.release()
			return
		}
		job, err := r.client.RequestJob(asking)
		if job == nil {
			job, err = refused(r.log, err)
		}
		if job != nil {
			forbidden = 0
			d.jobs.Add(1)
			go func() {
				defer d.jobs.Done()
				defer d.concurrent.release()
				defer r.limit.release()
				d.runJob(jobsCtx, r, job, err)
			}()
			continue
		}
		r.limit.release()
		d.concurrent.release()
		wait := interval
		switch {
		case err == nil:
		case errors.Is(err, network.ErrForbidden):
			forbidden++
			r.log.WithError(err).Errorf("GitLab refused the runner token of %q at %s (403)", r.cfg.Name, config.RedactURL(r.cfg.URL))
			if forbidden >= forbiddenInARow {
				r.log.Errorf("%d refusals in a row: runner %q pauses for %s; the other runners go on", forbidden, r.cfg.Name, d.opts.ForbiddenPause)
				wait, forbidden = d.opts.ForbiddenPause, 0
			}
		case asking.Err() != nil:
			return
		default:
			r.log.WithError(err).Warnf("Asking %s for a job failed", config.RedactURL(r.cfg.URL))
		}
		select {
		case <-time.After(wait):
		case <-asking.Done():
			return
		}
	}
}

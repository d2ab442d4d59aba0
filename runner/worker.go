package runner

import (
	"context"
	"errors"
	"time"

	"kuberunner/common/config"
	"kuberunner/network"
)

// rejectedInARow is how many rejections of the runner token (401, 403)
// in a row pause a runner.
const rejectedInARow = 3

// ask is one of a runner's request_concurrency request loops. It takes a
// slot of `concurrent` and of the runner's `limit` before each request, so
// a job that arrives always has room; it asks again at once after a job,
// and after check_interval when there was none. asking ends the requests;
// jobs run under jobsCtx, which only an abort ends. r.asking ending (a
// reload retired r) ends the loop too, but not a request in flight: its
// job, if one comes, is GitLab's already.
func (d *Daemon) ask(asking, jobsCtx context.Context, r *runnerState) {
	rejected := 0
	for r.asking.Err() == nil {
		if !d.concurrent.acquire(r.asking) {
			return
		}
		if !r.limit.acquire(r.asking) {
			d.concurrent.release()
			return
		}
		job, err := r.client.RequestJob(asking)
		if job == nil {
			job, err = refused(r.log, err)
		}
		if job != nil {
			rejected = 0
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
		wait := time.Duration(d.config().CheckInterval) * time.Second
		switch {
		case err == nil:
		case tokenRejected(err):
			// A token GitLab rejects stays rejected until someone acts:
			// asking every check_interval only fills the log.
			rejected++
			r.log.WithError(r.client.HideSecrets(err)).Errorf("GitLab rejected the runner token of %q at %s (%d): it is wrong, expired or the runner was deleted",
				r.cfg.Name, config.RedactURL(r.cfg.URL), statusOf(err))
			if rejected >= rejectedInARow {
				r.log.Errorf("%d rejections in a row: runner %q pauses for %s; the other runners go on", rejected, r.cfg.Name, d.opts.ForbiddenPause)
				wait, rejected = d.opts.ForbiddenPause, 0
			}
		case asking.Err() != nil:
			return
		default:
			r.log.WithError(r.client.HideSecrets(err)).Warnf("Asking %s for a job failed", config.RedactURL(r.cfg.URL))
		}
		select {
		case <-time.After(wait):
		case <-r.asking.Done():
			return
		}
	}
}

// tokenRejected reports whether err is GitLab rejecting the runner token:
// a 401 or a 403.
func tokenRejected(err error) bool {
	return errors.Is(err, network.ErrUnauthorized) || errors.Is(err, network.ErrForbidden)
}

// statusOf is the HTTP status of GitLab's answer in err, 0 if none.
func statusOf(err error) int {
	var se *network.StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return 0
}

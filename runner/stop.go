package runner

import (
	"context"
	"time"
)

// stopOn turns graceful (SIGQUIT) into the end of the requests, and, when
// shutdown_timeout is set, into an abort of the jobs still running once it
// has passed. ended closes when Run returns.
func (d *Daemon) stopOn(graceful <-chan struct{}, asking context.Context, stopAsking, abort context.CancelFunc, ended <-chan struct{}) {
	select {
	case <-graceful:
	case <-asking.Done():
		return
	}
	drain, _ := d.config().ShutdownWait()
	if drain <= 0 {
		d.log.Info("Stopping: no new jobs; waiting for the running ones to finish")
		stopAsking()
		return
	}
	d.log.Infof("Stopping: no new jobs; waiting for the running ones to finish, for at most %s (shutdown_timeout)", drain)
	stopAsking()
	timer := time.NewTimer(drain)
	defer timer.Stop()
	select {
	case <-timer.C:
		d.log.Warnf("shutdown_timeout: %d job(s) still running after %s", d.running.count(), drain)
		abort()
	case <-ended:
	}
}

// drain waits until every job is reported. Once the jobs are aborted it
// waits at most shutdown_timeout (30 s when unset), as GitLab Runner does,
// so that a cleanup that hangs on an API server does not hold the process
// forever: the jobs left are failed by GitLab when they time out, and the
// next start sweeps their pods.
func (d *Daemon) drain(jobsCtx context.Context) {
	done := make(chan struct{})
	go func() {
		d.jobs.Wait()
		close(done)
	}()
	select {
	case <-done:
		return
	case <-jobsCtx.Done():
	}
	_, bound := d.config().ShutdownWait()
	timer := time.NewTimer(bound)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		d.log.Errorf("shutdown_timeout: %d aborted job(s) still cleaning up or reporting after %s; exiting without them", d.running.count(), bound)
	}
}

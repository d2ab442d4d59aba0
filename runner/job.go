package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/executors"
	"kuberunner/helpers/safetext"
	"kuberunner/network"
)

// runJob runs one job from GitLab through the executor and reports it
// exactly once. ctx ends on an abort of the whole daemon; GitLab's own
// "canceled" ends the job's context too, and its "canceling" stops the
// script gracefully.
// refused, when set, fails the job before it runs (a payload that could
// not be read).
func (d *Daemon) runJob(ctx context.Context, r *runnerState, job *common.Job, refused error) {
	log := r.log.WithFields(logrus.Fields{"job": job.ID, "project": job.JobInfo.ProjectID})
	log.Infof("Job received: %s", logText(job.JobInfo.Name))
	jobsRunning.WithLabelValues(r.cfg.Name).Inc()
	defer jobsRunning.WithLabelValues(r.cfg.Name).Dec()
	started := time.Now()
	d.metrics.received(r.cfg, job)
	entry := d.running.add(r.cfg)
	defer d.running.remove(entry)

	trace := r.client.StartTrace(context.WithoutCancel(ctx), job, network.TraceOptions{
		OutputLimit: r.cfg.OutputLimit * 1024,
		// Contact GitLab at least every trace interval even when the job
		// prints nothing, so that a "canceled" reaches it within one.
		KeepAlive: network.DefaultTraceInterval,
		Log:       log,
	})
	blog := buildlog.NewWithRules(trace, buildlog.LogFormatGitLab, job.MaskRules())
	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-trace.Aborted():
			cancel(trace.AbortReason())
		case <-jobCtx.Done():
		}
	}()

	blog.Println(fmt.Sprintf("Running with kuberunner %s", d.opts.Version))
	blog.Println(fmt.Sprintf("  on %s (executor %s)", safetext.Escape(r.cfg.Name), r.cfg.Executor))
	err := refused
	if err == nil {
		err = d.execute(jobCtx, r, job, blog, trace, entry)
	}
	if err == nil {
		blog.Infoln("Job succeeded")
	} else {
		if cause := context.Cause(jobCtx); cause != nil && errors.Is(err, context.Canceled) {
			err = &common.BuildError{Inner: fmt.Errorf("aborted: %w", cause), FailureReason: common.RunnerSystemFailure}
		}
		blog.Errorln(fmt.Sprintf("Job failed: %v", err))
	}
	if cerr := blog.Close(); cerr != nil {
		log.WithError(cerr).Warn("Closing the build log")
	}

	// The report runs after an abort too, so it cannot use the job's
	// context; Finish keeps its own deadline, and this one stops a request
	// that hangs past it.
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), network.FinishTimeout)
	defer fcancel()
	d.running.set(entry, "", executorFinish)
	report, ferr := trace.Finish(fctx, network.ResultFromError(err))
	state, reason := string(report.State), string(report.OriginalFailureReason)
	jobsTotal.WithLabelValues(r.cfg.Name, state, reason).Inc()
	d.metrics.finished(r.cfg, report, time.Since(started).Seconds())
	fields := logrus.Fields{"state": state, "duration": time.Since(started).Round(time.Millisecond)}
	if reason != "" {
		fields["failure_reason"] = reason
		fields["sent_failure_reason"] = string(report.FailureReason)
	}
	if ferr != nil {
		log.WithFields(fields).WithError(r.client.HideSecrets(ferr, job.Token)).Error("Reporting the job to GitLab failed")
		return
	}
	log.WithFields(fields).Info("Job finished")
}

// execute is the same executor path `kuberunner exec` takes.
func (d *Daemon) execute(ctx context.Context, r *runnerState, job *common.Job, blog *buildlog.Log, trace *network.Trace, entry *runningJob) error {
	// exec's jobs come from .gitlab-ci.yml, where a job without script is
	// an error already; GitLab's must be checked here.
	if err := job.Runnable(); err != nil {
		return err
	}
	// The same rules as exec's: a masked value too short to mask, or a name
	// no shell can hold, fails the job before anything runs.
	if err := job.Variables.Validate(); err != nil {
		return common.NewConfigurationError(err)
	}
	e, err := executors.New(r.cfg.Executor)
	if err != nil {
		return common.NewConfigurationError(err)
	}
	slot := r.ids.take(job.JobInfo.ProjectID)
	defer r.ids.release(job.JobInfo.ProjectID, slot)
	return executors.Run(ctx, stagedExecutor{Executor: e, table: &d.running, job: entry}, executors.Options{
		Job: job, Runner: r.cfg, Log: blog, Canceling: trace.Canceling(),
		Version: d.opts.Version, Revision: d.opts.Revision, Slot: slot,
	})
}

package network

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"kuberunner/common"
)

// Bounds of the final update.
const (
	// FinishTimeout bounds the final report, its retries included. The
	// report runs after the job, and a GitLab that cannot take it in five
	// minutes is down; its own timeout for the job will mark it then.
	FinishTimeout = 5 * time.Minute
	// maxNotYet is how many 202 answers (flush the log first) are followed.
	maxNotYet = 20
	// maxResends is how many 412 answers (trace mismatch) are followed by
	// resending the whole log.
	maxResends = 3
)

// State is a job state as the update API names it.
type State string

const (
	StateRunning State = "running"
	StateSuccess State = "success"
	StateFailed  State = "failed"
)

// Result is how a job ended, before mapping to what GitLab understands.
type Result struct {
	// State is StateSuccess or StateFailed; anything else is sent as
	// failed.
	State         State
	FailureReason common.FailureReason
	ExitCode      int
}

// Report is what the final update sent.
type Report struct {
	State State
	// FailureReason is the reason sent, after MapFailureReason;
	// OriginalFailureReason the job's own, for logs and metrics.
	FailureReason, OriginalFailureReason common.FailureReason
	ExitCode                             int
	Checksum                             string
	Bytesize                             int
	// Updates is how many PUTs were sent.
	Updates int
}

type finalUpdate struct {
	Token         string               `json:"token"`
	State         State                `json:"state"`
	FailureReason common.FailureReason `json:"failure_reason,omitempty"`
	ExitCode      int                  `json:"exit_code"`
	Output        struct {
		Checksum string `json:"checksum"`
		Bytesize int    `json:"bytesize"`
	} `json:"output"`
}

// Finish ends the trace and reports the job's end to GitLab, once: it
// stops the background loop, sends what is left of the log, and sends the
// final update with the log's checksum and size. It follows 202 (flush and
// ask again after the server's interval) and 412 (resend the whole log
// from 0), and retries transport errors, 408, 429 and 5xx with pauses of
// at most finalReportWait until FinishTimeout has passed on the client's
// clock or ctx ends (an outage of GitLab must not lose the report); the
// last try starts at least lastTry before that deadline. It gives up with
// a *GiveUpError at the deadline or on endless 202 or 412, and returns a
// *StatusError for another answer. Pass a ctx that outlives the job's
// cancellation.
func (t *Trace) Finish(ctx context.Context, res Result) (Report, error) {
	t.mu.Lock()
	if t.finished {
		t.mu.Unlock()
		return Report{}, ErrTraceFinished
	}
	t.finished = true
	t.mu.Unlock()
	close(t.stop)
	<-t.loopDone

	end := t.client.reportEnd(ctx)
	if err := t.flushBefore(ctx, end); err != nil {
		// The update's checksum check tells whether GitLab has it all.
		t.log.WithFields(errorFields(err)).Warn("Sending the rest of the job log failed")
	}
	rep := t.report(res)
	body := finalUpdate{Token: t.token, State: rep.State, FailureReason: rep.FailureReason, ExitCode: rep.ExitCode}
	body.Output.Checksum, body.Output.Bytesize = rep.Checksum, rep.Bytesize
	err := t.update(ctx, body, &rep, end)
	return rep, err
}

// report is what the final update says of res: the state, the reason
// mapped to what this GitLab knows, the log's checksum and size.
func (t *Trace) report(res Result) Report {
	rep := Report{State: StateFailed, ExitCode: res.ExitCode, Checksum: t.Checksum(), Bytesize: t.Size()}
	if res.State == StateSuccess {
		rep.State = StateSuccess
		return rep
	}
	rep.OriginalFailureReason = res.FailureReason
	if rep.OriginalFailureReason == "" {
		rep.OriginalFailureReason = common.UnknownFailure
	}
	rep.FailureReason = MapFailureReason(rep.OriginalFailureReason, t.reasons)
	return rep
}

// reportEnd is the final report's deadline on the client's clock:
// FinishTimeout from now, or ctx's deadline if that comes first. Waits
// run on the clock, so the deadline is kept there too.
func (c *Client) reportEnd(ctx context.Context) time.Time {
	budget := FinishTimeout
	if d, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(d))
	}
	return c.clock.Now().Add(budget)
}

// flushBefore is Flush retried (see untilDeadline) until end, less a
// quarter of the time left, which is kept for the final update: that is
// the one message GitLab must get, and its checksum tells GitLab whether
// the log arrived whole.
func (t *Trace) flushBefore(ctx context.Context, end time.Time) error {
	flushEnd := end.Add(-end.Sub(t.client.clock.Now()) / 4)
	p := t.client.retry.untilDeadline(flushEnd)
	return t.client.retryingWith(ctx, p, t.log, t.traceRequest(), func() error { return t.Flush(ctx) })
}

const opUpdate = "update job"

// updater is the final update on its way: the request, the answers
// followed so far, and the retry policy until the report's deadline.
type updater struct {
	t                         *Trace
	req                       request
	rep                       *Report
	policy                    RetryPolicy
	backoff                   wait.Backoff
	notYet, resends, failures int
}

// update sends the final update until GitLab takes it, follows its 202
// and 412, or gives up.
func (t *Trace) update(ctx context.Context, body finalUpdate, rep *Report, end time.Time) error {
	req, err := t.client.jsonRequest(opUpdate, http.MethodPut, fmt.Sprintf("jobs/%d", t.jobID), body)
	if err != nil {
		return err
	}
	u := &updater{t: t, req: req, rep: rep, policy: t.client.retry.untilDeadline(end)}
	u.backoff = u.policy.backoff()
	for {
		if done, err := u.try(ctx); done {
			return err
		}
	}
}

// try sends the update once and acts on the answer; done is false when
// another try is due, which it has waited for.
func (u *updater) try(ctx context.Context) (done bool, err error) {
	u.rep.Updates++
	resp, err := u.t.client.send(ctx, u.req)
	if err != nil {
		return u.failed(ctx, err)
	}
	switch resp.status {
	case http.StatusOK:
		return true, nil
	case http.StatusAccepted:
		return u.accepted(ctx, resp)
	case http.StatusPreconditionFailed:
		return u.mismatch(ctx, resp)
	}
	return u.failed(ctx, u.t.client.statusError(opUpdate, resp))
}

// accepted follows a 202: GitLab wants the rest of the log first. The
// log is flushed and the update repeated after GitLab's interval (the
// trace's without one), as every pause of the report at most
// finalReportWait.
func (u *updater) accepted(ctx context.Context, resp *response) (bool, error) {
	se := u.t.client.statusError(opUpdate, resp)
	if u.notYet++; u.notYet > maxNotYet {
		return true, &GiveUpError{Op: opUpdate, Attempts: u.rep.Updates, Err: se}
	}
	if err := u.t.Flush(ctx); err != nil {
		u.t.log.WithFields(errorFields(err)).Warn("Sending the job log failed")
	}
	d, ok := traceInterval(resp.header)
	if !ok {
		d = u.t.tickInterval()
	}
	return u.pause(ctx, min(d, finalReportWait), se)
}

// mismatch follows a 412: GitLab's copy of the log differs from ours, so
// all of it is sent again from 0 before the update is repeated.
func (u *updater) mismatch(ctx context.Context, resp *response) (bool, error) {
	if u.resends++; u.resends > maxResends {
		return true, &GiveUpError{Op: opUpdate, Attempts: u.rep.Updates, Err: u.t.client.statusError(opUpdate, resp)}
	}
	u.t.setSent(0)
	if err := u.t.flushBefore(ctx, u.policy.end); err != nil {
		return true, fmt.Errorf("%s: resend the log after 412: %w", opUpdate, err)
	}
	return false, nil
}

// failed follows a try that got no answer or an unexpected one: what may
// succeed later is tried again after the backoff's pause, with a warning.
func (u *updater) failed(ctx context.Context, err error) (bool, error) {
	if ctx.Err() != nil {
		return true, context.Cause(ctx)
	}
	if !retryable(err) {
		return true, err
	}
	if u.failures++; u.failures >= u.policy.attempts() {
		return true, &GiveUpError{Op: opUpdate, Attempts: u.rep.Updates, Err: err}
	}
	d, ok := u.policy.next(u.backoff.Step(), err, u.t.client.clock.Now())
	if !ok {
		return true, &GiveUpError{Op: opUpdate, Attempts: u.rep.Updates, Err: deadlineNear(err)}
	}
	u.t.client.warnRetry(u.t.log, u.req, u.failures, d, err)
	return u.pause(ctx, d, err)
}

// pause waits d, fitted before the deadline, for the next try; when none
// fits any more it gives up with last, the last try's error.
func (u *updater) pause(ctx context.Context, d time.Duration, last error) (bool, error) {
	d, ok := beforeDeadline(d, u.t.client.clock.Now(), u.policy.end)
	if !ok {
		return true, &GiveUpError{Op: opUpdate, Attempts: u.rep.Updates, Err: deadlineNear(last)}
	}
	if err := u.t.client.sleep(ctx, d); err != nil {
		return true, err
	}
	return false, nil
}

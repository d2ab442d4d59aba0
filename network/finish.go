package network

import (
	"context"
	"fmt"
	"net/http"

	"kuberunner/common"
)

// Bounds of the final update.
const (
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
// from 0), and retries transport errors, 408, 429 and 5xx until ctx ends
// (an outage of GitLab must not lose the report), giving up with a
// *GiveUpError on endless 202 or 412 and a *StatusError for another
// answer. Pass a ctx that outlives the job's cancellation and bounds the
// whole.
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

	if err := t.flushRetrying(ctx); err != nil {
		// The update's checksum check tells whether GitLab has it all.
		t.log.WithFields(errorFields(err)).Warn("Sending the rest of the job log failed")
	}
	rep := Report{State: StateFailed, ExitCode: res.ExitCode, Checksum: t.Checksum(), Bytesize: t.Size()}
	if res.State == StateSuccess {
		rep.State = StateSuccess
	} else {
		rep.OriginalFailureReason = res.FailureReason
		if rep.OriginalFailureReason == "" {
			rep.OriginalFailureReason = common.UnknownFailure
		}
		rep.FailureReason = MapFailureReason(rep.OriginalFailureReason, t.reasons)
	}
	body := finalUpdate{Token: t.token, State: rep.State, FailureReason: rep.FailureReason, ExitCode: rep.ExitCode}
	body.Output.Checksum, body.Output.Bytesize = rep.Checksum, rep.Bytesize
	err := t.update(ctx, body, &rep)
	return rep, err
}

// flushRetrying is Flush retried until ctx ends (see untilDeadline): the
// rest of the log is part of the final report.
func (t *Trace) flushRetrying(ctx context.Context) error {
	return t.client.retryingWith(ctx, t.client.retry.untilDeadline(), t.log, t.traceRequest(), func() error { return t.Flush(ctx) })
}

// update sends the final update until GitLab takes it.
func (t *Trace) update(ctx context.Context, body finalUpdate, rep *Report) error {
	const op = "update job"
	req, err := t.client.jsonRequest(op, http.MethodPut, fmt.Sprintf("jobs/%d", t.jobID), body)
	if err != nil {
		return err
	}
	notYet, resends, failures := 0, 0, 0
	policy := t.client.retry.untilDeadline()
	b := policy.backoff()
	for {
		rep.Updates++
		resp, err := t.client.send(ctx, req)
		if err == nil {
			switch resp.status {
			case http.StatusOK:
				return nil
			case http.StatusAccepted:
				if notYet++; notYet > maxNotYet {
					return &GiveUpError{Op: op, Attempts: rep.Updates, Err: t.client.statusError(op, resp)}
				}
				if err := t.Flush(ctx); err != nil {
					t.log.WithFields(errorFields(err)).Warn("Sending the job log failed")
				}
				wait, ok := traceInterval(resp.header)
				if !ok {
					wait = t.tickInterval()
				}
				if err := t.client.sleep(ctx, wait); err != nil {
					return err
				}
				continue
			case http.StatusPreconditionFailed:
				if resends++; resends > maxResends {
					return &GiveUpError{Op: op, Attempts: rep.Updates, Err: t.client.statusError(op, resp)}
				}
				t.setSent(0)
				if err := t.flushRetrying(ctx); err != nil {
					return fmt.Errorf("%s: resend the log after 412: %w", op, err)
				}
				continue
			}
			err = t.client.statusError(op, resp)
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if !retryable(err) {
			return err
		}
		if failures++; failures >= policy.attempts() {
			return &GiveUpError{Op: op, Attempts: rep.Updates, Err: err}
		}
		d := policy.pause(b.Step(), err)
		t.client.warnRetry(t.log, req, failures, d, err)
		if err := t.client.sleep(ctx, d); err != nil {
			return err
		}
	}
}

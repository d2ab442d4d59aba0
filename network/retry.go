package network

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"k8s.io/apimachinery/pkg/util/wait"
)

// Defaults for zero fields of RetryPolicy.
const (
	DefaultMaxAttempts   = 5
	DefaultMaxRetryAfter = 10 * time.Minute
)

// DefaultBackoff waits 0.5-1 s before the first retry, then 1-2 s, 2-4 s
// and so on up to 30-60 s. wait.Backoff's jitter only adds, so a Jitter of 1
// on half the nominal wait spreads clients that failed together over the
// whole range below it.
var DefaultBackoff = wait.Backoff{Duration: 500 * time.Millisecond, Factor: 2, Jitter: 1, Cap: 30 * time.Second, Steps: math.MaxInt32}

// RetryPolicy says how often and how long to retry what may succeed later.
type RetryPolicy struct {
	// Backoff computes the wait before each retry, one Step per retry of
	// a copy, so every operation starts over; a zero Duration is
	// DefaultBackoff.
	Backoff wait.Backoff
	// MaxAttempts is the number of tries in all, the first included;
	// 0 is DefaultMaxAttempts.
	MaxAttempts int
	// MaxRetryAfter caps a wait the server asks for; 0 is
	// DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration

	// end is when the operation must be done, on the client's clock;
	// zero is no deadline but the context's (see untilDeadline).
	end time.Time
}

func (p RetryPolicy) attempts() int {
	if p.MaxAttempts <= 0 {
		return DefaultMaxAttempts
	}
	return p.MaxAttempts
}

// backoff is a fresh copy of the policy's backoff for one operation.
func (p RetryPolicy) backoff() wait.Backoff {
	if p.Backoff.Duration <= 0 {
		return DefaultBackoff
	}
	return p.Backoff
}

// pause is the wait before the next retry after err: step, the backoff's
// next step, or the server's hint if that is longer (capped at
// MaxRetryAfter).
func (p RetryPolicy) pause(step time.Duration, err error) time.Duration {
	d := step
	var se *StatusError
	if errors.As(err, &se) && se.RetryAfter > d {
		limit := p.MaxRetryAfter
		if limit <= 0 {
			limit = DefaultMaxRetryAfter
		}
		d = min(se.RetryAfter, limit)
	}
	return d
}

// finalReportWait caps the pause between tries of the final report, so
// that GitLab coming back after an outage is noticed within seconds.
const finalReportWait = 10 * time.Second

// lastTry is the least time left for a try before a deadline: less would
// cut off even a healthy GitLab's answer.
const lastTry = time.Second

// untilDeadline is p for the final report: it is the one message GitLab
// must get, so it is tried until end (or its context's end) rather than a
// number of times. Every pause is at most finalReportWait, one the server
// asks for too: the report has minutes, which a Retry-After of minutes
// would spend in a try or two, and one request per job every few seconds
// adds little to a GitLab that is rate limiting.
func (p RetryPolicy) untilDeadline(end time.Time) RetryPolicy {
	p.MaxAttempts = math.MaxInt
	p.Backoff = capped(p.backoff(), finalReportWait)
	p.MaxRetryAfter = finalReportWait
	p.end = end
	return p
}

// next is the pause before the next try after err, given the backoff's
// step, fitted before the policy's end; ok is false when no try fits.
func (p RetryPolicy) next(step time.Duration, err error, now time.Time) (time.Duration, bool) {
	return beforeDeadline(p.pause(step, err), now, p.end)
}

// beforeDeadline fits a pause d before end (zero: no deadline): at most
// half of what is left, so that a long wait never carries a try past the
// deadline and the tries crowd towards it instead; and none (ok false)
// once less than lastTry would remain after it, so that the last try
// comes while it can still be answered.
func beforeDeadline(d time.Duration, now, end time.Time) (time.Duration, bool) {
	if end.IsZero() {
		return d, true
	}
	left := end.Sub(now)
	d = max(min(d, left/2), 0)
	return d, left-d >= lastTry
}

// deadlineNear is the error of an operation that stopped trying because
// its deadline was near, wrapping the last try's error.
func deadlineNear(err error) error {
	return fmt.Errorf("no time for another try before the deadline: %w", err)
}

// capped is b with every step at most limit, jitter included. wait.Backoff
// caps the nominal wait before jitter adds up to Jitter times it on top,
// and never caps its first step, so both are lowered.
func capped(b wait.Backoff, limit time.Duration) wait.Backoff {
	nominal := time.Duration(float64(limit) / (1 + max(b.Jitter, 0)))
	if b.Cap <= 0 || b.Cap > nominal {
		b.Cap = nominal
	}
	b.Duration = min(b.Duration, b.Cap)
	return b
}

// retryable is whether err may go away on its own: no answer, or a
// retryable status.
func retryable(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Retryable()
	}
	var te *transportError
	return errors.As(err, &te)
}

// retrying runs try until it returns nil or an error not worth retrying,
// warning on the client's log and waiting on its clock between tries; req
// is what try sends, named in the error and the log. When the attempts run out it returns a *GiveUpError
// wrapping the last error. A cancelled ctx ends it at once with ctx's
// error.
func (c *Client) retrying(ctx context.Context, req request, try func() error) error {
	return c.retryingWith(ctx, c.retry, c.log, req, try)
}

// retryingWith is retrying under policy p, warning on log.
func (c *Client) retryingWith(ctx context.Context, p RetryPolicy, log logrus.FieldLogger, req request, try func() error) error {
	attempts, b := p.attempts(), p.backoff()
	for n := 1; ; n++ {
		err := try()
		if err == nil {
			return nil
		}
		if !retryable(err) {
			return err
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if n >= attempts {
			return &GiveUpError{Op: req.op, Attempts: n, Err: err}
		}
		d, ok := p.next(b.Step(), err, c.clock.Now())
		if !ok {
			return &GiveUpError{Op: req.op, Attempts: n, Err: deadlineNear(err)}
		}
		c.warnRetry(log, req, n, d, err)
		if err := c.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// sleep waits d on the client's clock, or until ctx ends.
func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-c.clock.After(d):
		return nil
	}
}

// maxRetryHint bounds what is read of a server's hint, far above any
// policy's cap and far below where seconds overflow time.Duration: a
// Retry-After of 9223372037 seconds must read as long, not as negative.
const maxRetryHint = time.Hour

// retryHint reads how long the server asks us to wait: Retry-After (seconds
// or an HTTP date) and RateLimit-ResetTime (an HTTP date), whichever is
// later, within [0, maxRetryHint]. ok is false when neither gives a wait.
func retryHint(h http.Header, now time.Time) (d time.Duration, ok bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		d, ok = retryAfter(v, now)
	}
	if v := strings.TrimSpace(h.Get("RateLimit-ResetTime")); v != "" {
		if t, err := http.ParseTime(v); err == nil {
			d, ok = max(d, untilTime(t, now)), true
		}
	}
	return d, ok
}

// retryAfter reads a Retry-After value: whole seconds (a number too large
// for int64 is as long as can be) or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	secs, err := strconv.ParseInt(v, 10, 64)
	if err == nil || errors.Is(err, strconv.ErrRange) {
		if secs < 0 {
			return 0, false
		}
		return clampSeconds(secs, 0, maxRetryHint), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return untilTime(t, now), true
	}
	return 0, false
}

// untilTime is the wait until t, within [0, maxRetryHint].
func untilTime(t, now time.Time) time.Duration {
	return min(max(t.Sub(now), 0), maxRetryHint)
}

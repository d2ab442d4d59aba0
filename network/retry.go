package network

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"kuberunner/helpers/backoff"
)

// Defaults for zero fields of RetryPolicy.
const (
	DefaultMaxAttempts   = 5
	DefaultMaxRetryAfter = 10 * time.Minute
)

// RetryPolicy says how often and how long to retry what may succeed later.
type RetryPolicy struct {
	// Backoff computes the wait before each retry.
	Backoff backoff.Policy
	// MaxAttempts is the number of tries in all, the first included;
	// 0 is DefaultMaxAttempts.
	MaxAttempts int
	// MaxRetryAfter caps a wait the server asks for; 0 is
	// DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
}

func (p RetryPolicy) attempts() int {
	if p.MaxAttempts <= 0 {
		return DefaultMaxAttempts
	}
	return p.MaxAttempts
}

// wait is the pause before retry number retry after err: the backoff, or
// the server's hint if that is longer (capped at MaxRetryAfter).
func (p RetryPolicy) wait(retry int, err error) time.Duration {
	d := p.Backoff.Delay(retry)
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

// untilDeadline is p for the final report: it is the one message GitLab
// must get, so it is tried until its context ends (the caller bounds
// that) rather than a number of times, with pauses of at most
// finalReportWait.
func (p RetryPolicy) untilDeadline() RetryPolicy {
	p.MaxAttempts = math.MaxInt
	if p.Backoff.Max <= 0 || p.Backoff.Max > finalReportWait {
		p.Backoff.Max = finalReportWait
	}
	return p
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
// waiting between tries on the client's clock. When the attempts run out
// it returns a *GiveUpError wrapping the last error. A cancelled ctx ends
// it at once with ctx's error.
func (c *Client) retrying(ctx context.Context, op string, try func() error) error {
	return c.retryingWith(ctx, c.retry, op, try)
}

// retryingWith is retrying under policy p.
func (c *Client) retryingWith(ctx context.Context, p RetryPolicy, op string, try func() error) error {
	attempts := p.attempts()
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
			return &GiveUpError{Op: op, Attempts: n, Err: err}
		}
		d := p.wait(n-1, err)
		c.log.Warn("coordinator request failed, retrying", "op", op, "attempt", n, "wait", d, "err", err)
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

// retryHint reads how long the server asks us to wait: Retry-After (seconds
// or an HTTP date) and RateLimit-ResetTime (an HTTP date), whichever is
// later. ok is false when neither gives a wait.
func retryHint(h http.Header, now time.Time) (d time.Duration, ok bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
			d, ok = time.Duration(secs)*time.Second, true
		} else if t, err := http.ParseTime(v); err == nil {
			d, ok = max(t.Sub(now), 0), true
		}
	}
	if v := strings.TrimSpace(h.Get("RateLimit-ResetTime")); v != "" {
		if t, err := http.ParseTime(v); err == nil {
			d, ok = max(d, t.Sub(now), 0), true
		}
	}
	return d, ok
}

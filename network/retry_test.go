package network

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/wait"

	"kuberunner/test/coordinator"
)

func TestRetryHint(t *testing.T) {
	now := clockStart
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	for _, tc := range []struct {
		name   string
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{"none", nil, 0, false},
		{"seconds", map[string]string{"Retry-After": "30"}, 30 * time.Second, true},
		{"zero seconds", map[string]string{"Retry-After": "0"}, 0, true},
		{"date", map[string]string{"Retry-After": date(time.Minute)}, time.Minute, true},
		{"date in the past", map[string]string{"Retry-After": date(-time.Minute)}, 0, true},
		{"garbage", map[string]string{"Retry-After": "soon"}, 0, false},
		{"negative seconds", map[string]string{"Retry-After": "-5"}, 0, false},
		{"reset time", map[string]string{"RateLimit-ResetTime": date(45 * time.Second)}, 45 * time.Second, true},
		{"the later of both", map[string]string{"Retry-After": "10", "RateLimit-ResetTime": date(45 * time.Second)}, 45 * time.Second, true},
		{"reset time earlier than retry-after", map[string]string{"Retry-After": "90", "RateLimit-ResetTime": date(45 * time.Second)}, 90 * time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			d, ok := retryHint(h, now)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, d)
		})
	}
}

func TestStatusErrorRetryable(t *testing.T) {
	for status, want := range map[int]bool{
		400: false, 403: false, 404: false, 409: false, 412: false, 416: false,
		408: true, 429: true, 500: true, 502: true, 503: true, 504: true,
	} {
		assert.Equal(t, want, (&StatusError{Status: status}).Retryable(), "%d", status)
	}
}

// A server that never answers: each try ends at the request timeout and is
// retried; the outcome does not depend on how long that takes.
func TestRequestTimeoutIsRetriedThenGivenUp(t *testing.T) {
	quit := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-quit:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(quit) })
	clock := coordinator.NewAutoClock(clockStart)
	c, err := New(Config{
		URL: hang.URL, Token: runnerToken, SystemID: testSystem, HTTPClient: hang.Client(),
		Clock: clock, Retry: RetryPolicy{Backoff: noJitter, MaxAttempts: 3},
		Timeout: time.Millisecond, RequestJobTimeout: time.Millisecond,
	})
	require.NoError(t, err)
	for name, call := range map[string]func() error{
		"request job": func() error { _, err := c.RequestJob(t.Context()); return err },
		"verify":      func() error { return c.Verify(t.Context()) },
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			var gu *GiveUpError
			require.ErrorAs(t, err, &gu)
			assert.Equal(t, 3, gu.Attempts)
			assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
		})
	}
}

func TestNewChecksConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"ok", Config{URL: "https://gitlab.example.com", Token: "t"}, true},
		{"ok with a path", Config{URL: "https://example.com/gitlab/", Token: "t"}, true},
		{"no scheme", Config{URL: "gitlab.example.com", Token: "t"}, false},
		{"ftp", Config{URL: "ftp://gitlab.example.com", Token: "t"}, false},
		{"no token", Config{URL: "https://gitlab.example.com"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			assert.Equal(t, tc.ok, err == nil, "%v", err)
		})
	}
}

func TestEndpointUnderAPath(t *testing.T) {
	c, err := New(Config{URL: "https://example.com/gitlab/", Token: "t"})
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/gitlab/api/v4/jobs/7/trace", c.endpoint("jobs/7/trace"))
}

// The n-th retry of an operation waits within the n-th range of
// DefaultBackoff, which a zero RetryPolicy uses; the ranges stop growing
// at 30-60 s.
func TestDefaultBackoffRanges(t *testing.T) {
	for _, tc := range []struct {
		name     string
		retry    int
		from, to time.Duration
	}{
		{"first", 1, 500 * time.Millisecond, time.Second},
		{"doubles", 4, 4 * time.Second, 8 * time.Second},
		{"capped", 30, 30 * time.Second, time.Minute},
		{"far past the cap", 1000, 30 * time.Second, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 100 {
				d := nthStep(RetryPolicy{}.backoff(), tc.retry)
				assert.GreaterOrEqual(t, d, tc.from)
				assert.LessOrEqual(t, d, tc.to)
			}
		})
	}
}

// The final report's pauses stay at most finalReportWait, jitter included,
// whatever backoff the client was given.
func TestUntilDeadlineCapsEveryPause(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    wait.Backoff
	}{
		{"default", wait.Backoff{}},
		{"no jitter", noJitter},
		{"a first wait above the cap", wait.Backoff{Duration: time.Minute, Factor: 2, Jitter: 0.5, Steps: 10}},
		{"no cap, no end to the steps", wait.Backoff{Duration: time.Second, Factor: 3, Jitter: 1, Steps: math.MaxInt32}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := RetryPolicy{Backoff: tc.b}.untilDeadline(time.Time{}).backoff()
			for range 200 {
				d := b.Step()
				assert.Positive(t, d)
				assert.LessOrEqual(t, d, finalReportWait)
			}
		})
	}
}

// A server's hint longer than the backoff wins, up to MaxRetryAfter; a
// shorter one does not shorten the backoff.
func TestPauseHonoursTheServer(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    RetryPolicy
		hint time.Duration
		want time.Duration
	}{
		{"no hint", RetryPolicy{}, 0, 2 * time.Second},
		{"shorter hint", RetryPolicy{}, time.Second, 2 * time.Second},
		{"longer hint", RetryPolicy{}, 30 * time.Second, 30 * time.Second},
		{"hint past the default cap", RetryPolicy{}, time.Hour, DefaultMaxRetryAfter},
		{"hint past the policy's cap", RetryPolicy{MaxRetryAfter: time.Minute}, time.Hour, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := &GiveUpError{Err: &StatusError{Status: 429, RetryAfter: tc.hint}}
			assert.Equal(t, tc.want, tc.p.pause(2*time.Second, err))
		})
	}
}

// nthStep is the n-th step (1 for the first) of a fresh copy of b.
func nthStep(b wait.Backoff, n int) time.Duration {
	var d time.Duration
	for range n {
		d = b.Step()
	}
	return d
}

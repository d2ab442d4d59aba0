package network

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Numbers GitLab sends in headers are taken only within bounds: an interval
// that overflows time.Duration must not turn negative and spin the loop.
func TestTraceIntervalIsClamped(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		want   time.Duration
		ok     bool
	}{
		{"absent", "", 0, false},
		{"seconds", "7", 7 * time.Second, true},
		{"padded", " 7 ", 7 * time.Second, true},
		{"the floor", "1", minTraceInterval, true},
		{"an hour is a minute", "3600", maxTraceInterval, true},
		{"overflows time.Duration", "9223372037", maxTraceInterval, true},
		{"overflows int64", "99999999999999999999", maxTraceInterval, true},
		{"zero is ignored", "0", 0, false},
		{"negative is ignored", "-3", 0, false},
		{"very negative is ignored", "-99999999999999999999", 0, false},
		{"not a number", "soon", 0, false},
		{"a fraction", "1.5", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.header != "" {
				h.Set("X-GitLab-Trace-Update-Interval", tc.header)
			}
			d, ok := traceInterval(h)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, d)
		})
	}
}

// The loop's next wait after an absurd interval is positive and bounded:
// before the clamp it was negative, and the loop sent a request per turn
// without ever waiting.
func TestTraceLoopSurvivesAHugeInterval(t *testing.T) {
	for _, tc := range []struct {
		name      string
		seconds   int
		keepAlive time.Duration
		want      time.Duration
	}{
		{"overflowing, under the default keep-alive", 9223372037, 0, DefaultKeepAlive},
		{"overflowing, with a long keep-alive", 9223372037, time.Hour, maxTraceInterval},
		{"an hour, with a long keep-alive", 3600, time.Hour, maxTraceInterval},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, clock, tr, _ := loopTrace(t, TraceOptions{KeepAlive: tc.keepAlive})
			srv.SetTraceInterval(tc.seconds)
			tr.Write([]byte("x"))
			tick(clock, DefaultTraceInterval)
			waits := clock.Waits()
			assert.Equal(t, tc.want, waits[len(waits)-1])
		})
	}
}

// A server's hint is read within [0, maxRetryHint]: seconds that overflow
// time.Duration read as long, where they used to wrap negative and be
// ignored, and so does a date centuries ahead.
func TestRetryHintIsClamped(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{"an hour and a second", map[string]string{"Retry-After": "3601"}, maxRetryHint, true},
		{"overflows time.Duration", map[string]string{"Retry-After": "9223372037"}, maxRetryHint, true},
		{"overflows int64", map[string]string{"Retry-After": "99999999999999999999"}, maxRetryHint, true},
		{"very negative", map[string]string{"Retry-After": "-99999999999999999999"}, 0, false},
		{"a date centuries ahead", map[string]string{"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}, maxRetryHint, true},
		{"a reset time centuries ahead", map[string]string{"RateLimit-ResetTime": "Fri, 31 Dec 9999 23:59:59 GMT"}, maxRetryHint, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			d, ok := retryHint(h, clockStart)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, d)
		})
	}
}

package network

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzCoordinatorHeaders feeds the parsers of what GitLab's answers say
// in headers: X-GitLab-Trace-Update-Interval, Retry-After and
// RateLimit-ResetTime (and the final report's pause they lead to, with
// left of its deadline to go), and a 416's Range; and checks the
// Content-Range a patch sends. Properties: no panic, and every duration
// within its clamp.
func FuzzCoordinatorHeaders(f *testing.F) {
	f.Fuzz(func(t *testing.T, interval, retryAfter, resetTime, rng string, leftMs int64) {
		h := http.Header{}
		h.Set("X-GitLab-Trace-Update-Interval", interval)
		h.Set("Retry-After", retryAfter)
		h.Set("RateLimit-ResetTime", resetTime)
		checkInterval(t, h)
		hint := checkHint(t, h)
		checkFinalPause(t, hint, time.Duration(leftMs)*time.Millisecond)
		checkRange(t, rng)
		checkContentRange(t, leftMs)
	})
}

func checkInterval(t *testing.T, h http.Header) {
	d, ok := traceInterval(h)
	if ok && (d < minTraceInterval || d > maxTraceInterval) || !ok && d != 0 {
		t.Fatalf("trace interval %q read as %v, %v", h.Get("X-GitLab-Trace-Update-Interval"), d, ok)
	}
}

func checkHint(t *testing.T, h http.Header) time.Duration {
	d, ok := retryHint(h, clockStart)
	if d < 0 || d > maxRetryHint || !ok && d != 0 {
		t.Fatalf("Retry-After %q, RateLimit-ResetTime %q read as %v, %v", h.Get("Retry-After"), h.Get("RateLimit-ResetTime"), d, ok)
	}
	return d
}

// checkFinalPause: each of the final report's pauses after a 429 with
// hint, over the steps of its backoff, is at most finalReportWait and
// half of what is left, and leaves lastTry.
func checkFinalPause(t *testing.T, hint, left time.Duration) {
	p := RetryPolicy{}.untilDeadline(clockStart.Add(left))
	b := p.backoff()
	for range 12 {
		step := b.Step()
		d, ok := p.next(step, &StatusError{Status: 429, RetryAfter: hint}, clockStart)
		if d < 0 || d > finalReportWait || ok && (d > left/2 || left-d < lastTry) {
			t.Fatalf("hint %v, step %v, %v left: pause %v, %v", hint, step, left, d, ok)
		}
	}
}

// checkRange: a 416's Range says how many bytes the server holds, never
// fewer than none, and reads the same once written back.
func checkRange(t *testing.T, v string) {
	n, ok := parseRange(v)
	if !ok {
		return
	}
	if back, ok2 := parseRange(fmt.Sprintf("0-%d", n)); n < 0 || !ok2 || back != n {
		t.Fatalf("Range %q read as %d", v, n)
	}
}

// checkContentRange: a patch of size bytes at start says start-end, end
// inclusive, as numbers the server reads back.
func checkContentRange(t *testing.T, x int64) {
	start, size := int(uint32(x)), int(uint16(x>>32))+1
	req := (&Trace{jobID: 1}).patchRequest(start, make([]byte, size))
	from, to, _ := strings.Cut(req.header.Get("Content-Range"), "-")
	a, err1 := strconv.Atoi(from)
	b, err2 := strconv.Atoi(to)
	if err1 != nil || err2 != nil || a != start || b-a+1 != size {
		t.Fatalf("Content-Range %q for %d bytes at %d", req.header.Get("Content-Range"), size, start)
	}
}

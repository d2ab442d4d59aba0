package network

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxResumes bounds the 416 answers one Flush follows, so that a server
// that keeps moving its end cannot keep us busy.
const maxResumes = 5

// loop sends new log bytes at the trace interval and a keep-alive after
// KeepAlive without contact, until Finish, ctx's end or an abort. Errors wait for the next
// tick; Finish retries what is left.
func (t *Trace) loop(ctx context.Context) {
	defer close(t.loopDone)
	for t.running(ctx) {
		select {
		case <-ctx.Done():
			return
		case <-t.stop:
			return
		case <-t.signals.aborted:
			return
		case <-t.client.clock.After(t.tickInterval()):
		}
		if t.pending() > 0 {
			if err := t.Flush(ctx); err != nil {
				t.log.WithFields(errorFields(err)).Warn("Sending the job log failed, will retry")
			}
		}
		// A patch GitLab took is contact; one it refused is not, so a
		// failing trace still gets keep-alives.
		if t.silence() >= t.opts.KeepAlive {
			if err := t.keepAlive(ctx); err != nil {
				t.log.WithFields(errorFields(err)).Warn("Job keep-alive failed")
			}
		}
	}
}

// running reports whether the loop should go on.
func (t *Trace) running(ctx context.Context) bool {
	select {
	case <-ctx.Done():
		return false
	case <-t.stop:
		return false
	case <-t.signals.aborted:
		return false
	default:
		return true
	}
}

// tickInterval is the pause between two looks at the log: the server's
// interval, but never longer than the keep-alive.
func (t *Trace) tickInterval() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return min(t.interval, t.opts.KeepAlive)
}

func (t *Trace) pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.buf) - t.sent
}

func (t *Trace) silence() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.client.clock.Now().Sub(t.lastContact)
}

// Flush sends everything written so far, in patches of at most PatchSize
// bytes, following the server's Range on a 416. It makes one try per
// patch; the background loop and Finish try again.
func (t *Trace) Flush(ctx context.Context) error {
	t.sendMu.Lock()
	defer t.sendMu.Unlock()
	for resumes := 0; ; {
		start, chunk := t.nextChunk()
		if len(chunk) == 0 {
			return nil
		}
		resp, err := t.client.send(ctx, t.patchRequest(start, chunk))
		if err != nil {
			return err
		}
		t.heard(resp.header, resp.status == http.StatusAccepted || resp.status == http.StatusRequestedRangeNotSatisfiable)
		switch resp.status {
		case http.StatusAccepted:
			t.setSent(start + len(chunk))
			continue
		case http.StatusRequestedRangeNotSatisfiable:
			n, ok := parseRange(resp.header.Get("Range"))
			if !ok || n > t.Size() {
				return fmt.Errorf("send trace: 416 with Range %q beyond the %d bytes written", resp.header.Get("Range"), t.Size())
			}
			if resumes++; resumes > maxResumes {
				return fmt.Errorf("send trace: %d range answers (416) in a row", resumes)
			}
			t.setSent(n)
			continue
		}
		se := t.client.statusError("send trace", resp)
		if resp.status == http.StatusForbidden {
			t.signals.abort(se)
		}
		return se
	}
}

// nextChunk is the next patch to send: its start and at most PatchSize
// bytes. The slice is never written again (buf only grows), so it can be
// read without the lock.
func (t *Trace) nextChunk() (int, []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	end := min(len(t.buf), t.sent+t.opts.PatchSize)
	return t.sent, t.buf[t.sent:end:end]
}

// traceRequest is the PATCH of the job's log without its range and bytes;
// retrying names it in the log.
func (t *Trace) traceRequest() request {
	return request{op: "send trace", method: http.MethodPatch, path: fmt.Sprintf("jobs/%d/trace", t.jobID)}
}

func (t *Trace) patchRequest(start int, chunk []byte) request {
	req := t.traceRequest()
	req.header = http.Header{}
	req.header.Set("JOB-TOKEN", t.token)
	req.header.Set("Content-Type", "text/plain")
	req.header.Set("Content-Range", fmt.Sprintf("%d-%d", start, start+len(chunk)-1))
	req.body = chunk
	return req
}

func (t *Trace) setSent(n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sent = n
}

// heard notes an answer from the server: Job-Status, the interval it asks
// for, and, if it took the request (contact), the time, which puts off the
// next keep-alive.
func (t *Trace) heard(h http.Header, contact bool) {
	t.signals.observe(h)
	t.mu.Lock()
	defer t.mu.Unlock()
	if contact {
		t.lastContact = t.client.clock.Now()
	}
	if d, ok := traceInterval(h); ok {
		t.interval = d
	}
}

// Bounds of the interval GitLab asks for. More often than once a second
// would flood GitLab with patches; less often than once a minute, a job's
// log would lag further behind than anyone watching it waits, and a value
// past time.Duration's range would wrap negative and spin the loop.
const (
	minTraceInterval = time.Second
	maxTraceInterval = time.Minute
)

// traceInterval reads X-GitLab-Trace-Update-Interval (whole seconds),
// clamped to [minTraceInterval, maxTraceInterval]. ok is false when it is
// absent, not a number, or not positive: the current interval stays.
func traceInterval(h http.Header) (time.Duration, bool) {
	secs, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-GitLab-Trace-Update-Interval")), 10, 64)
	// ParseInt saturates a number out of range, which clamps as well.
	if err != nil && !errors.Is(err, strconv.ErrRange) || secs <= 0 {
		return 0, false
	}
	return clampSeconds(secs, minTraceInterval, maxTraceInterval), true
}

// clampSeconds is secs seconds within [lo, hi], compared before it is
// multiplied, which would overflow time.Duration for large secs.
func clampSeconds(secs int64, lo, hi time.Duration) time.Duration {
	switch {
	case secs >= int64(hi/time.Second):
		return hi
	case secs <= int64(lo/time.Second):
		return lo
	}
	return time.Duration(secs) * time.Second
}

// parseRange reads a 416's Range "0-<n>": the server holds n bytes.
func parseRange(v string) (int, bool) {
	v = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(v), "bytes="), "bytes ")
	from, to, ok := strings.Cut(v, "-")
	if !ok || from != "0" {
		return 0, false
	}
	n, err := strconv.Atoi(to)
	return n, err == nil && n >= 0
}

// keepAlive tells GitLab the job still runs (PUT state "running"); its
// answer carries Job-Status like a patch's.
func (t *Trace) keepAlive(ctx context.Context) error {
	t.sendMu.Lock()
	defer t.sendMu.Unlock()
	req, err := t.client.jsonRequest("keep-alive", http.MethodPut, fmt.Sprintf("jobs/%d", t.jobID), struct {
		Token string `json:"token"`
		State State  `json:"state"`
	}{t.token, StateRunning})
	if err != nil {
		return err
	}
	resp, err := t.client.send(ctx, req)
	if err != nil {
		return err
	}
	t.heard(resp.header, resp.status == http.StatusOK)
	if resp.status == http.StatusOK {
		return nil
	}
	se := t.client.statusError("keep-alive", resp)
	if resp.status == http.StatusForbidden {
		t.signals.abort(se)
	}
	return se
}

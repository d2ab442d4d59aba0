package network

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/coordinator"
)

// loopTrace is a Trace whose background loop runs on a manual clock.
func loopTrace(t *testing.T, opts TraceOptions) (*coordinator.Server, *coordinator.Clock, *Trace, *common.Job) {
	t.Helper()
	srv := coordinator.New(t, runnerToken)
	clock := coordinator.NewClock(clockStart)
	c := newClient(t, srv, clock, runnerToken)
	job := takeJob(t, srv, c, common.Job{})
	tr := c.StartTrace(t.Context(), job, opts)
	t.Cleanup(func() {
		// Finish stops the loop; its own requests need no waits here.
		_, _ = tr.Finish(t.Context(), Result{State: StateSuccess})
	})
	return srv, clock, tr, job
}

// tick lets the loop's current wait pass and returns once the loop waits
// again, that is, once it has done what the tick asked.
func tick(clock *coordinator.Clock, d time.Duration) {
	clock.BlockUntil(1)
	clock.Advance(d)
	clock.BlockUntil(1)
}

func TestTraceLoopSendsAtTheInterval(t *testing.T) {
	srv, clock, tr, job := loopTrace(t, TraceOptions{})
	fmt.Fprint(tr, "first")
	tick(clock, DefaultTraceInterval-time.Second)
	rec, _ := srv.Job(job.ID)
	assert.Empty(t, rec.Trace, "before the interval nothing is sent")

	tick(clock, time.Second)
	rec, _ = srv.Job(job.ID)
	assert.Equal(t, "first", string(rec.Trace))
}

func TestTraceLoopFollowsTheServersInterval(t *testing.T) {
	srv, clock, tr, job := loopTrace(t, TraceOptions{})
	srv.SetTraceInterval(7)
	fmt.Fprint(tr, "x")
	tick(clock, DefaultTraceInterval)
	waits := clock.Waits()
	assert.Equal(t, 7*time.Second, waits[len(waits)-1], "the next wait is the server's")

	fmt.Fprint(tr, "y")
	tick(clock, 6*time.Second)
	rec, _ := srv.Job(job.ID)
	assert.Equal(t, "x", string(rec.Trace))
	tick(clock, time.Second)
	rec, _ = srv.Job(job.ID)
	assert.Equal(t, "xy", string(rec.Trace))
}

func TestTraceLoopKeepAlive(t *testing.T) {
	srv, clock, tr, job := loopTrace(t, TraceOptions{})
	keepAlives := func() int { rec, _ := srv.Job(job.ID); return rec.KeepAlives }

	// 27 s of silence: no keep-alive yet.
	for range 9 {
		tick(clock, 3*time.Second)
	}
	assert.Equal(t, 0, keepAlives())
	tick(clock, 3*time.Second) // 30 s
	assert.Equal(t, 1, keepAlives())

	// Output counts as contact: the next keep-alive is 30 s after it.
	fmt.Fprint(tr, "out")
	tick(clock, 3*time.Second)
	for range 9 {
		tick(clock, 3*time.Second)
	}
	assert.Equal(t, 1, keepAlives())
	tick(clock, 3*time.Second)
	assert.Equal(t, 2, keepAlives())
}

func TestTraceLoopKeepAliveWhilePatchesFail(t *testing.T) {
	srv, clock, tr, job := loopTrace(t, TraceOptions{})
	srv.Inject(coordinator.EndpointTrace, coordinator.Fault{Status: 500, Times: 10})
	fmt.Fprint(tr, "refused")
	for range 9 {
		tick(clock, 3*time.Second)
	}
	rec, _ := srv.Job(job.ID)
	assert.Equal(t, 0, rec.KeepAlives)
	tick(clock, 3*time.Second)
	rec, _ = srv.Job(job.ID)
	assert.Equal(t, 1, rec.KeepAlives)
	assert.Len(t, rec.Patches, 10)
	assert.Empty(t, rec.Trace)
}

func TestTraceLoopKeepAliveNotLaterThanItsPeriod(t *testing.T) {
	srv, clock, _, job := loopTrace(t, TraceOptions{KeepAlive: 10 * time.Second})
	srv.SetTraceInterval(60)
	tick(clock, 10*time.Second) // answers a keep-alive with the 60 s interval
	rec, _ := srv.Job(job.ID)
	require.Equal(t, 1, rec.KeepAlives)
	waits := clock.Waits()
	assert.Equal(t, 10*time.Second, waits[len(waits)-1], "a 60 s interval does not delay keep-alives")
}

func TestTraceLoopSignalsCanceling(t *testing.T) {
	srv, clock, tr, job := loopTrace(t, TraceOptions{})
	srv.SetJobStatus(job.ID, "canceling", 10)
	fmt.Fprint(tr, "12345")
	tick(clock, 3*time.Second)
	assert.False(t, closed(tr.Canceling()))
	fmt.Fprint(tr, "67890")
	tick(clock, 3*time.Second)
	assert.True(t, closed(tr.Canceling()))
	assert.False(t, closed(tr.Aborted()))
	assert.Equal(t, "canceling", tr.JobStatus())

	srv.SetJobStatus(job.ID, "canceled", 0)
	fmt.Fprint(tr, "!")
	clock.BlockUntil(1)
	clock.Advance(3 * time.Second)
	<-tr.Aborted()
	<-tr.loopDone // the loop stops on an abort
	assert.Equal(t, &JobStatusError{Status: "canceled"}, tr.AbortReason())
}

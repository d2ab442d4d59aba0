package network

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/coordinator"
)

// The final report keeps its deadline whatever GitLab asks: no pause is
// longer than finalReportWait, so a Retry-After or RateLimit-ResetTime of
// minutes cannot carry the runner past the deadline, and a GitLab that
// refuses to the end still gets a last try just before it.
func TestFinalReportKeepsItsDeadline(t *testing.T) {
	resetIn := func(d time.Duration) map[string]string {
		return map[string]string{"RateLimit-ResetTime": clockStart.Add(d).Format(http.TimeFormat)}
	}
	// A refusal to the end: tries 10 s apart until a pause of 10 s would
	// leave less than it waited, then at half of what is left, until less
	// than lastTry would remain after the pause.
	toTheEnd := append(slices.Repeat([]time.Duration{finalReportWait}, 29),
		5*time.Second, 2500*time.Millisecond, 1250*time.Millisecond)
	for _, tc := range []struct {
		name      string
		endpoint  coordinator.Endpoint
		fault     coordinator.Fault
		waits     []time.Duration
		updates   int
		completed int
	}{
		{name: "Retry-After of 5 minutes on the final PUT", endpoint: coordinator.EndpointUpdate,
			fault: coordinator.Fault{Status: 429, Header: coordinator.RetryAfter(300)},
			waits: []time.Duration{finalReportWait}, updates: 2, completed: 1},
		{name: "RateLimit-ResetTime 10 minutes ahead on the final PUT", endpoint: coordinator.EndpointUpdate,
			fault: coordinator.Fault{Status: 429, Header: resetIn(10 * time.Minute)},
			waits: []time.Duration{finalReportWait}, updates: 2, completed: 1},
		{name: "Retry-After of 5 minutes on the trace PATCH", endpoint: coordinator.EndpointTrace,
			fault: coordinator.Fault{Status: 429, Header: coordinator.RetryAfter(300)},
			waits: []time.Duration{finalReportWait}, updates: 1, completed: 1},
		{name: "202 asking for a minute", endpoint: coordinator.EndpointUpdate,
			fault: coordinator.Fault{Status: 202, Header: map[string]string{"X-GitLab-Trace-Update-Interval": "60"}},
			waits: []time.Duration{finalReportWait}, updates: 2, completed: 1},
		{name: "an overflowing Retry-After on the final PUT", endpoint: coordinator.EndpointUpdate,
			fault: coordinator.Fault{Status: 503, Header: coordinator.RetryAfter(9223372037)},
			waits: []time.Duration{finalReportWait}, updates: 2, completed: 1},
		{name: "Retry-After of 10 minutes to the end: the last try comes before the deadline", endpoint: coordinator.EndpointUpdate,
			fault: coordinator.Fault{Status: 429, Header: coordinator.RetryAfter(600), Times: 1000},
			waits: toTheEnd, updates: len(toTheEnd) + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			clock := coordinator.NewAutoClock(clockStart)
			c := newClient(t, srv, clock, runnerToken)
			job := takeJob(t, srv, c, common.Job{})
			tr := quietTrace(t, c, job, TraceOptions{})
			fmt.Fprint(tr, "log\n")
			srv.Inject(tc.endpoint, tc.fault)

			rep, err := tr.Finish(t.Context(), Result{State: StateSuccess})

			assert.Equal(t, tc.waits, clock.Waits())
			assert.Less(t, clock.Now().Sub(clockStart), FinishTimeout, "the last try starts before the deadline")
			assert.Equal(t, tc.updates, rep.Updates)
			rec, _ := srv.Job(job.ID)
			assert.Equal(t, tc.completed, rec.Completed)
			if tc.completed == 1 {
				require.NoError(t, err)
				assert.Equal(t, "log\n", string(rec.Trace))
				return
			}
			var gu *GiveUpError
			require.ErrorAs(t, err, &gu)
			assert.ErrorContains(t, err, "deadline")
		})
	}
}

// A trace endpoint that fails to the end cannot take the whole deadline:
// the final update still gets its tries, and the report ends in time.
func TestFinalUpdateKeepsItsShareOfTheDeadline(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	clock := coordinator.NewAutoClock(clockStart)
	c := newClient(t, srv, clock, runnerToken)
	job := takeJob(t, srv, c, common.Job{})
	tr := quietTrace(t, c, job, TraceOptions{})
	fmt.Fprint(tr, "log\n")
	srv.Inject(coordinator.EndpointTrace, coordinator.Fault{Status: 503, Times: 1000})

	_, err := tr.Finish(t.Context(), Result{State: StateSuccess})

	require.Error(t, err)
	assert.Less(t, clock.Now().Sub(clockStart), FinishTimeout)
	rec, _ := srv.Job(job.ID)
	assert.Positive(t, rec.FinalUpdates, "the final update was tried")
	for _, w := range clock.Waits() {
		assert.LessOrEqual(t, w, finalReportWait)
	}
}

// The pure rule: a pause leaves at least as much time as it takes, and
// none is made once less than lastTry would remain after it.
func TestBeforeDeadline(t *testing.T) {
	now := clockStart
	for _, tc := range []struct {
		name string
		d    time.Duration
		left time.Duration // 0: no deadline
		want time.Duration
		ok   bool
	}{
		{"no deadline", time.Hour, 0, time.Hour, true},
		{"plenty of time", 10 * time.Second, 5 * time.Minute, 10 * time.Second, true},
		{"half of what is left", 10 * time.Second, 10 * time.Second, 5 * time.Second, true},
		{"a short pause near the end", 500 * time.Millisecond, 1500 * time.Millisecond, 500 * time.Millisecond, true},
		{"no room for a try after it", 10 * time.Second, 1500 * time.Millisecond, 750 * time.Millisecond, false},
		{"past the deadline", time.Second, -time.Second, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var end time.Time
			if tc.left != 0 {
				end = now.Add(tc.left)
			}
			d, ok := beforeDeadline(tc.d, now, end)
			assert.Equal(t, tc.ok, ok)
			if ok {
				assert.Equal(t, tc.want, d)
			}
		})
	}
}

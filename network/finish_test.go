package network

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/coordinator"
)

func TestFinish(t *testing.T) {
	const log = "line one\nline two\n"
	interval5 := map[string]string{"X-GitLab-Trace-Update-Interval": "5"}
	for _, tc := range []struct {
		name        string
		faults      []coordinator.Fault
		wantErr     func(t *testing.T, err error)
		wantUpdates int
		waits       []time.Duration
		completed   int
	}{
		{name: "200", wantUpdates: 1, completed: 1},
		{name: "202 three times, then 200, at the server's interval", wantUpdates: 4, completed: 1,
			faults: []coordinator.Fault{{Status: 202, Header: interval5, Times: 3}},
			waits:  []time.Duration{5 * time.Second, 5 * time.Second, 5 * time.Second}},
		{name: "202 without an interval waits the trace interval", wantUpdates: 2, completed: 1,
			faults: []coordinator.Fault{{Status: 202}},
			waits:  []time.Duration{DefaultTraceInterval}},
		{name: "202 forever gives up", wantUpdates: maxNotYet + 1,
			faults:  []coordinator.Fault{{Status: 202, Header: interval5, Times: 1000}},
			waits:   slices.Repeat([]time.Duration{5 * time.Second}, maxNotYet),
			wantErr: giveUp(202)},
		{name: "412 resends the log from 0, then 200", wantUpdates: 2, completed: 1,
			faults: []coordinator.Fault{{Status: 412}}},
		{name: "412 forever gives up", wantUpdates: maxResends + 1,
			faults:  []coordinator.Fault{{Status: 412, Times: 100}},
			wantErr: giveUp(412)},
		{name: "500 twice, then 200", wantUpdates: 3, completed: 1,
			faults: []coordinator.Fault{{Status: 500, Times: 2}},
			waits:  []time.Duration{time.Second, 2 * time.Second}},
		{name: "429 honours Retry-After", wantUpdates: 2, completed: 1,
			faults: []coordinator.Fault{{Status: 429, Header: coordinator.RetryAfter(9)}},
			waits:  []time.Duration{9 * time.Second}},
		{name: "500 past the attempts of other requests: the final report goes on, pauses capped", wantUpdates: 8, completed: 1,
			faults: []coordinator.Fault{{Status: 500, Times: 7}},
			waits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
				finalReportWait, finalReportWait, finalReportWait}},
		{name: "403 is not retried", wantUpdates: 1,
			faults:  []coordinator.Fault{{Status: 403}},
			wantErr: func(t *testing.T, err error) { assert.ErrorIs(t, err, ErrForbidden) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			clock := coordinator.NewAutoClock(clockStart)
			c := newClient(t, srv, clock, runnerToken)
			job := takeJob(t, srv, c, common.Job{})
			tr := quietTrace(t, c, job, TraceOptions{})
			fmt.Fprint(tr, log)
			for _, f := range tc.faults {
				srv.Inject(coordinator.EndpointUpdate, f)
			}

			rep, err := tr.Finish(t.Context(), Result{State: StateFailed, FailureReason: common.ScriptFailure, ExitCode: 2})

			if tc.wantErr != nil {
				tc.wantErr(t, err)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.wantUpdates, rep.Updates)
			assert.Equal(t, tc.waits, clock.Waits())
			rec, _ := srv.Job(job.ID)
			assert.Equal(t, tc.wantUpdates, rec.FinalUpdates)
			assert.Equal(t, tc.completed, rec.Completed, "reported exactly once")
			assert.Equal(t, log, string(rec.Trace))
			assert.Equal(t, 0, rec.ChecksumMismatches)
			assert.Empty(t, srv.Violations())
			if tc.completed == 1 {
				assert.Equal(t, "failed", rec.State)
				assert.Equal(t, "script_failure", rec.FailureReason)
				assert.Equal(t, 2, rec.ExitCode)
			}
		})
	}
}

func giveUp(status int) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		var gu *GiveUpError
		require.ErrorAs(t, err, &gu)
		var se *StatusError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, status, se.Status)
	}
}

func TestFinish412ResendsFromZero(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	c := newClient(t, srv, nil, runnerToken)
	job := takeJob(t, srv, c, common.Job{})
	tr := quietTrace(t, c, job, TraceOptions{PatchSize: 4})
	fmt.Fprint(tr, "0123456789")
	require.NoError(t, tr.Flush(t.Context()))
	srv.Inject(coordinator.EndpointUpdate, coordinator.Fault{Status: 412})

	_, err := tr.Finish(t.Context(), Result{State: StateSuccess})
	require.NoError(t, err)
	rec, _ := srv.Job(job.ID)
	assert.Equal(t, []coordinator.Patch{
		{Start: 0, End: 3, Status: 202}, {Start: 4, End: 7, Status: 202}, {Start: 8, End: 9, Status: 202},
		{Start: 0, End: 3, Status: 202}, {Start: 4, End: 7, Status: 202}, {Start: 8, End: 9, Status: 202},
	}, rec.Patches)
	assert.Equal(t, "0123456789", string(rec.Trace))
	assert.Equal(t, 1, rec.Completed)
	assert.Empty(t, srv.Violations())
}

func TestFinishSendsPendingLogAndChecksum(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	c := newClient(t, srv, nil, runnerToken)
	job := takeJob(t, srv, c, common.Job{})
	tr := quietTrace(t, c, job, TraceOptions{})
	fmt.Fprint(tr, "sent early\n")
	require.NoError(t, tr.Flush(t.Context()))
	fmt.Fprint(tr, "still pending\n")
	srv.Inject(coordinator.EndpointTrace, coordinator.Fault{Status: 503})

	rep, err := tr.Finish(t.Context(), Result{State: StateSuccess})
	require.NoError(t, err)

	want := "sent early\nstill pending\n"
	assert.Equal(t, fmt.Sprintf("crc32:%08x", crc32.ChecksumIEEE([]byte(want))), rep.Checksum)
	assert.Equal(t, len(want), rep.Bytesize)
	rec, _ := srv.Job(job.ID)
	assert.Equal(t, want, string(rec.Trace))
	assert.Equal(t, rep.Checksum, rec.Checksum)
	assert.Equal(t, rep.Bytesize, rec.Bytesize)
	assert.Equal(t, "success", rec.State)

	var body map[string]any
	puts := srv.RequestsTo(fmt.Sprintf("/api/v4/jobs/%d", job.ID))
	require.NoError(t, json.Unmarshal(puts[len(puts)-1].Body, &body))
	assert.Equal(t, map[string]any{
		"token": job.Token, "state": "success", "exit_code": 0.0,
		"output": map[string]any{"checksum": rep.Checksum, "bytesize": float64(len(want))},
	}, body, "no failure_reason on success")
}

func TestFinishMapsTheFailureReason(t *testing.T) {
	for _, tc := range []struct {
		name      string
		supported []string
		reason    common.FailureReason
		want      common.FailureReason
	}{
		{"listed", []string{"image_pull_failure"}, common.ImagePullFailure, common.ImagePullFailure},
		{"fallback", []string{"script_failure"}, common.ImagePullFailure, common.RunnerSystemFailure},
		{"empty reason", []string{"script_failure"}, "", common.UnknownFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			c := newClient(t, srv, nil, runnerToken)
			job := takeJob(t, srv, c, common.Job{Features: common.JobFeatures{FailureReasons: tc.supported}})
			tr := quietTrace(t, c, job, TraceOptions{})
			rep, err := tr.Finish(t.Context(), Result{State: StateFailed, FailureReason: tc.reason})
			require.NoError(t, err)
			assert.Equal(t, tc.want, rep.FailureReason)
			orig := tc.reason
			if orig == "" {
				orig = common.UnknownFailure
			}
			assert.Equal(t, orig, rep.OriginalFailureReason)
			rec, _ := srv.Job(job.ID)
			assert.Equal(t, string(tc.want), rec.FailureReason)
		})
	}
}

package network

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/coordinator"
)

func TestRequestJob(t *testing.T) {
	resetAt := clockStart.Add(20 * time.Second).Format(http.TimeFormat)
	retryAt := clockStart.Add(12 * time.Second).Format(http.TimeFormat)
	for _, tc := range []struct {
		name     string
		token    string
		faults   []coordinator.Fault
		queue    bool
		wantJob  bool
		wantErr  error
		giveUp   int // attempts of a *GiveUpError; 0: none expected
		wantHits int
		waits    []time.Duration
	}{
		{name: "201 job", queue: true, wantJob: true, wantHits: 1},
		{name: "204 no job", wantHits: 1},
		{name: "403 bad token", token: "wrong", wantErr: ErrForbidden, wantHits: 1},
		{name: "409 conflict is not retried",
			faults: []coordinator.Fault{{Status: 409}}, wantErr: ErrConflict, wantHits: 1},
		{name: "429 honours Retry-After seconds", queue: true, wantJob: true, wantHits: 2,
			faults: []coordinator.Fault{{Status: 429, Header: coordinator.RetryAfter(7)}},
			waits:  []time.Duration{7 * time.Second}},
		{name: "429 honours Retry-After as a date", queue: true, wantJob: true, wantHits: 2,
			faults: []coordinator.Fault{{Status: 429, Header: map[string]string{"Retry-After": retryAt}}},
			waits:  []time.Duration{12 * time.Second}},
		{name: "429 honours RateLimit-ResetTime", wantHits: 2,
			faults: []coordinator.Fault{{Status: 429, Header: map[string]string{"RateLimit-ResetTime": resetAt}}},
			waits:  []time.Duration{20 * time.Second}},
		{name: "a Retry-After shorter than the backoff keeps the backoff", wantHits: 3,
			faults: []coordinator.Fault{{Status: 503}, {Status: 429, Header: coordinator.RetryAfter(1)}},
			waits:  []time.Duration{time.Second, 2 * time.Second}},
		{name: "a huge Retry-After is capped", wantHits: 2,
			faults: []coordinator.Fault{{Status: 429, Header: coordinator.RetryAfter(86400)}},
			waits:  []time.Duration{DefaultMaxRetryAfter}},
		{name: "408 and 503 retried with backoff", queue: true, wantJob: true, wantHits: 3,
			faults: []coordinator.Fault{{Status: 408}, {Status: 503}},
			waits:  []time.Duration{time.Second, 2 * time.Second}},
		{name: "503 until the attempts run out", giveUp: DefaultMaxAttempts, wantHits: DefaultMaxAttempts,
			faults: []coordinator.Fault{{Status: 503, Times: 100}},
			waits:  []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}},
		{name: "400 is not retried", wantHits: 1,
			faults: []coordinator.Fault{{Status: 400}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := coordinator.New(t, runnerToken)
			for _, f := range tc.faults {
				srv.Inject(coordinator.EndpointRequest, f)
			}
			if tc.queue {
				srv.Enqueue(common.Job{ID: 42, Token: "job-tok", Timeout: time.Hour})
			}
			token := runnerToken
			if tc.token != "" {
				token = tc.token
			}
			clock := coordinator.NewAutoClock(clockStart)
			c := newClient(t, srv, clock, token)

			job, err := c.RequestJob(t.Context())

			switch {
			case tc.wantErr != nil:
				assert.ErrorIs(t, err, tc.wantErr)
			case tc.giveUp > 0:
				var gu *GiveUpError
				require.ErrorAs(t, err, &gu)
				assert.Equal(t, tc.giveUp, gu.Attempts)
			case tc.faults != nil && tc.faults[len(tc.faults)-1].Status == 400:
				var se *StatusError
				require.ErrorAs(t, err, &se)
				assert.Equal(t, 400, se.Status)
			default:
				require.NoError(t, err)
			}
			if tc.wantJob {
				require.NotNil(t, job)
				assert.Equal(t, int64(42), job.ID)
				assert.Equal(t, "job-tok", job.Token)
				assert.Equal(t, time.Hour, job.Timeout, "runner_info.timeout")
			} else {
				assert.Nil(t, job)
			}
			assert.Len(t, srv.RequestsTo(coordinator.PathJobsRequest), tc.wantHits)
			assert.Equal(t, tc.waits, clock.Waits())
			assert.Empty(t, srv.Violations())
		})
	}
}

func TestRequestJobSendsLastUpdateBack(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	c := newClient(t, srv, nil, runnerToken)

	job, err := c.RequestJob(t.Context())
	require.NoError(t, err)
	require.Nil(t, job)
	first := srv.RequestsTo(coordinator.PathJobsRequest)[0]
	lastUpdate := c.LastUpdate()
	require.NotEmpty(t, lastUpdate)

	_, err = c.RequestJob(t.Context())
	require.NoError(t, err)
	second := srv.RequestsTo(coordinator.PathJobsRequest)[1]

	var b1, b2 map[string]any
	require.NoError(t, json.Unmarshal(first.Body, &b1))
	require.NoError(t, json.Unmarshal(second.Body, &b2))
	assert.NotContains(t, b1, "last_update", "nothing to send back yet")
	assert.Equal(t, lastUpdate, b2["last_update"])
}

func TestRequestJobBody(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	c := newClient(t, srv, nil, runnerToken)
	_, err := c.RequestJob(t.Context())
	require.NoError(t, err)
	req := srv.RequestsTo(coordinator.PathJobsRequest)[0]
	assert.Equal(t, runnerToken, req.Header.Get("RUNNER-TOKEN"))

	var body struct {
		Token    string `json:"token"`
		SystemID string `json:"system_id"`
		Info     struct {
			Name, Version, Platform, Architecture, Executor, Shell string
			Features                                               map[string]bool
		} `json:"info"`
	}
	require.NoError(t, json.Unmarshal(req.Body, &body))
	assert.Equal(t, runnerToken, body.Token)
	assert.Equal(t, testSystem, body.SystemID)
	assert.Equal(t, "kuberunner", body.Info.Name)
	assert.Equal(t, "v0.0.1-test", body.Info.Version)
	assert.Equal(t, "kubernetes", body.Info.Executor)
	assert.Equal(t, "bash", body.Info.Shell)
	for _, f := range []string{"variables", "image", "services", "masking", "raw_variables", "cancelable",
		"cancel_gracefully", "trace_reset", "trace_checksum", "trace_size", "return_exit_code",
		"refspecs", "multi_build_steps", "service_variables", "image_executor_opts", "service_executor_opts",
		"artifacts", "upload_multiple_artifacts", "upload_raw_artifacts", "artifacts_exclude", "cache", "fallback_cache_keys"} {
		assert.True(t, body.Info.Features[f], f)
	}
	for _, f := range []string{"shared", "session", "terminal", "proxy", "native_steps_integration"} {
		v, sent := body.Info.Features[f]
		assert.True(t, sent && !v, "%s must be sent as false", f)
	}
}

func TestRequestJobPayloadError(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	srv.EnqueueRaw(77, "tok", []byte(`{"id": 77, "token": "tok", "steps": "not a list"}`))
	c := newClient(t, srv, nil, runnerToken)
	job, err := c.RequestJob(t.Context())
	assert.Nil(t, job)
	var pe *PayloadError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, int64(77), pe.JobID)
	assert.Equal(t, "tok", pe.Token)
}

func TestRequestJobContextEndsRetries(t *testing.T) {
	srv := coordinator.New(t, runnerToken)
	srv.Inject(coordinator.EndpointRequest, coordinator.Fault{Status: 503, Times: 100})
	clock := coordinator.NewClock(clockStart)
	c := newClient(t, srv, clock, runnerToken)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		_, err := c.RequestJob(ctx)
		done <- err
	}()
	clock.BlockUntil(1) // waiting to retry
	cancel()
	err := <-done
	assert.ErrorIs(t, err, context.Canceled)
	var gu *GiveUpError
	assert.False(t, errors.As(err, &gu))
	assert.Len(t, srv.RequestsTo(coordinator.PathJobsRequest), 1)
}

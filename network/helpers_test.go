package network

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/helpers/backoff"
	"kuberunner/test/coordinator"
)

const (
	runnerToken = "glrt-runner-token"
	testSystem  = "s_0123456789ab"
)

var clockStart = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// noJitter makes backoff waits exact: 1s, 2s, 4s, 8s.
var noJitter = backoff.Policy{Rand: func() float64 { return 0 }}

// newClient is a client of srv on clock (an auto clock if nil).
func newClient(t *testing.T, srv *coordinator.Server, clock Clock, token string) *Client {
	t.Helper()
	if clock == nil {
		clock = coordinator.NewAutoClock(clockStart)
	}
	c, err := New(Config{
		URL: srv.URL, Token: token, SystemID: testSystem, Version: "v0.0.1-test",
		HTTPClient: srv.Client(), Clock: clock, Retry: RetryPolicy{Backoff: noJitter},
	})
	require.NoError(t, err)
	return c
}

// takeJob queues job on srv and has c request it.
func takeJob(t *testing.T, srv *coordinator.Server, c *Client, job common.Job) *common.Job {
	t.Helper()
	srv.Enqueue(job)
	got, err := c.RequestJob(t.Context())
	require.NoError(t, err)
	require.NotNil(t, got)
	return got
}

package network

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/wait"

	"kuberunner/common"
	"kuberunner/test/coordinator"
)

const (
	runnerToken = "glrt-runner-token"
	testSystem  = "s_0123456789ab"
)

var clockStart = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// noJitter makes backoff waits exact: 1s, 2s, 4s, 8s, up to a minute; they
// are DefaultBackoff's upper bounds.
var noJitter = wait.Backoff{Duration: time.Second, Factor: 2, Cap: time.Minute, Steps: 64}

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

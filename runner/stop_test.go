package runner

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
	"kuberunner/test/logbuf"
)

// With shutdown_timeout set, SIGQUIT lets the running job go on for that
// long, then aborts it: it is reported failed, once, and Run returns.
func TestShutdownTimeoutBoundsTheDrain(t *testing.T) {
	srv := coordinator.New(t, "tok")
	cfg, path := testConfig(t, srv.URL, 1, "tok")
	cfg.ShutdownTimeout = 1
	srv.SetTraceInterval(1)
	holdFakeJobs(t)
	id := srv.Enqueue(job("true"))
	logs := &logbuf.Buffer{}
	log := logrus.New()
	log.SetOutput(logs)
	d := newTestDaemon(t, srv, cfg, path, log)
	graceful, done := runTestDaemon(t, d)
	waitRuns(t, srv, id)

	start := time.Now()
	close(graceful)
	assert.Never(t, func() bool { rec, _ := srv.Job(id); return rec.Completed > 0 }, 500*time.Millisecond, 10*time.Millisecond, "the job goes on at first")
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after shutdown_timeout")
	}
	assert.GreaterOrEqual(t, time.Since(start), time.Second)
	rec, _ := srv.Job(id)
	assert.Equal(t, "failed", rec.State)
	assert.Equal(t, 1, rec.Completed)
	assert.Contains(t, logs.String(), "shutdown_timeout: 1 job(s) still running after 1s")
}

// waitRuns waits until job id runs in the fake executor: a job whose 201
// is on its way is not the daemon's yet.
func waitRuns(t *testing.T, srv *coordinator.Server, id int64) {
	t.Helper()
	require.Eventually(t, func() bool {
		rec, _ := srv.Job(id)
		return strings.Contains(string(rec.Trace), fmt.Sprintf("job %d runs", id))
	}, 30*time.Second, 10*time.Millisecond)
}

// After an abort, Run waits at most shutdown_timeout for the report of a
// job whose final update GitLab keeps refusing.
func TestShutdownTimeoutBoundsTheAbort(t *testing.T) {
	srv := coordinator.New(t, "tok")
	cfg, path := testConfig(t, srv.URL, 1, "tok")
	cfg.ShutdownTimeout = 1
	srv.SetTraceInterval(1)
	holdFakeJobs(t)
	id := srv.Enqueue(job("true"))
	srv.Inject(coordinator.EndpointUpdate, coordinator.Fault{Status: 503, Times: 1000, JobID: id})
	logs := &logbuf.Buffer{}
	log := logrus.New()
	log.SetOutput(logs)
	d := newTestDaemon(t, srv, cfg, path, log)
	ctx, abort := context.WithCancel(context.Background())
	t.Cleanup(abort)
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, nil) }()
	waitRuns(t, srv, id)

	abort()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after shutdown_timeout")
	}
	assert.Contains(t, logs.String(), "shutdown_timeout: 1 aborted job(s) still cleaning up or reporting after 1s; exiting without them")
	rec, _ := srv.Job(id)
	assert.Zero(t, rec.Completed, "%+v", rec)
}

package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/test/coordinator"
)

// fakeExecutor runs a job without a cluster: it writes a line, waits until
// released or cancelled, and fails the job whose script says "fail".
type fakeExecutor struct{ opts executors.Options }

var fakeRelease = struct {
	sync.Mutex
	ch chan struct{}
}{}

func init() {
	executors.Register("fake-for-runner-tests", func() executors.Executor { return &fakeExecutor{} })
}

func (f *fakeExecutor) Prepare(_ context.Context, o executors.Options) error { f.opts = o; return nil }
func (f *fakeExecutor) Cleanup(context.Context) error                        { return nil }
func (f *fakeExecutor) Run(ctx context.Context) error {
	f.opts.Log.Println(fmt.Sprintf("job %d runs", f.opts.Job.ID))
	f.opts.Log.Println(fmt.Sprintf("slot %d/%d of %s", f.opts.Slot.ID, f.opts.Slot.ProjectID, f.opts.Version))
	fakeRelease.Lock()
	release := fakeRelease.ch
	fakeRelease.Unlock()
	select {
	case <-release:
	case <-ctx.Done():
		return ctx.Err()
	case <-f.opts.Canceling:
		return &common.BuildError{Inner: executors.ErrCanceled, FailureReason: common.ScriptFailure}
	}
	if steps := f.opts.Job.Steps; len(steps) > 0 && len(steps[0].Script) > 0 && steps[0].Script[0] == "fail" {
		return &common.BuildError{Inner: fmt.Errorf("exit 1"), FailureReason: common.ScriptFailure, ExitCode: 1}
	}
	return nil
}

func testConfig(t *testing.T, url string, concurrent int, runners ...string) (*config.Config, string) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	cfg := &config.Config{Concurrent: concurrent, CheckInterval: 1, LogLevel: "info", LogFormat: "text"}
	for _, tok := range runners {
		cfg.Runners = append(cfg.Runners, &config.RunnerConfig{Name: tok, URL: url, Token: tok, Executor: "fake-for-runner-tests", RequestConcurrency: 1, OutputLimit: 4096})
	}
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	return cfg, path
}

// startDaemon runs the daemon until graceful closes (or a minute passes);
// done receives Run's result.
func startDaemon(t *testing.T, srv *coordinator.Server, cfg *config.Config, path string) (graceful chan struct{}, done chan error) {
	return startDaemonWith(t, srv, cfg, path, logrus.New())
}

// startDaemonWith is startDaemon logging to log.
func startDaemonWith(t *testing.T, srv *coordinator.Server, cfg *config.Config, path string, log *logrus.Logger) (graceful chan struct{}, done chan error) {
	d, err := New(cfg, Options{ConfigPath: path, Log: log, HTTPClient: srv.Client()})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	graceful, done = make(chan struct{}), make(chan error)
	go func() { done <- d.Run(ctx, graceful) }()
	return graceful, done
}

// releaseFakeJobs lets every job of the fake executor finish at once.
func releaseFakeJobs() {
	released := make(chan struct{})
	close(released)
	fakeRelease.Lock()
	fakeRelease.ch = released
	fakeRelease.Unlock()
}

func job(script string) common.Job {
	return common.Job{JobInfo: common.JobInfo{Name: "test"}, Steps: []common.Step{{Name: common.StepScript, Script: []string{script}, When: common.WhenOnSuccess}}}
}

// Two runners, concurrent = 4 and 12 queued jobs: never more than 4 at
// once, and every job is reported exactly once.
func TestConcurrentCapsAllRunners(t *testing.T) {
	srv := coordinator.New(t, "tok-a", "tok-b")
	cfg, path := testConfig(t, srv.URL, 4, "tok-a", "tok-b")
	release := make(chan struct{})
	fakeRelease.Lock()
	fakeRelease.ch = release
	fakeRelease.Unlock()
	var ids []int64
	for i := range 12 {
		script := "true"
		if i%5 == 0 {
			script = "fail"
		}
		ids = append(ids, srv.Enqueue(job(script)))
	}
	graceful, done := startDaemon(t, srv, cfg, path)

	require.Eventually(t, func() bool { return srv.Running() == 4 }, 30*time.Second, 10*time.Millisecond)
	close(release) // let every job finish from here on
	require.Eventually(t, func() bool {
		for _, id := range ids {
			if rec, _ := srv.Job(id); rec.Completed != 1 {
				return false
			}
		}
		return true
	}, 30*time.Second, 10*time.Millisecond)
	close(graceful)
	require.NoError(t, <-done)

	assert.LessOrEqual(t, srv.MaxRunning(), 4)
	assert.Empty(t, srv.Violations())
	for i, id := range ids {
		rec, _ := srv.Job(id)
		assert.Equal(t, 1, rec.FinalUpdates, "job %d reported once", id)
		want := "success"
		if i%5 == 0 {
			want = "failed"
		}
		assert.Equal(t, want, rec.State)
		assert.Contains(t, string(rec.Trace), fmt.Sprintf("job %d runs", id))
	}
}

// An abort (SIGTERM) reports the running jobs failed, once, and Run returns.
func TestAbortReportsRunningJobsFailed(t *testing.T) {
	srv := coordinator.New(t, "tok")
	cfg, path := testConfig(t, srv.URL, 2, "tok")
	fakeRelease.Lock()
	fakeRelease.ch = make(chan struct{}) // never released
	fakeRelease.Unlock()
	a, b := srv.Enqueue(job("true")), srv.Enqueue(job("true"))
	d, err := New(cfg, Options{ConfigPath: path, Log: logrus.New(), HTTPClient: srv.Client()})
	require.NoError(t, err)
	ctx, abort := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- d.Run(ctx, nil) }()
	require.Eventually(t, func() bool { return srv.Running() == 2 }, 30*time.Second, 10*time.Millisecond)
	abort()
	require.NoError(t, <-done)
	for _, id := range []int64{a, b} {
		rec, _ := srv.Job(id)
		assert.Equal(t, "failed", rec.State)
		assert.Equal(t, 1, rec.Completed)
	}
}

// GitLab's "canceling" stops the script; the job is reported failed.
func TestCancelingFromGitLab(t *testing.T) {
	srv := coordinator.New(t, "tok")
	srv.SetTraceInterval(1)
	cfg, path := testConfig(t, srv.URL, 1, "tok")
	fakeRelease.Lock()
	fakeRelease.ch = make(chan struct{})
	fakeRelease.Unlock()
	id := srv.Enqueue(job("true"))
	srv.SetJobStatus(id, "canceling", 0)
	graceful, done := startDaemon(t, srv, cfg, path)
	require.Eventually(t, func() bool { rec, _ := srv.Job(id); return rec.Completed == 1 }, 30*time.Second, 10*time.Millisecond)
	close(graceful)
	require.NoError(t, <-done)
	rec, _ := srv.Job(id)
	assert.Equal(t, "failed", rec.State)
}

// A payload that cannot be read is still GitLab's job for us: it is
// reported failed, once, not dropped.
func TestUnreadablePayloadIsReportedFailed(t *testing.T) {
	srv := coordinator.New(t, "tok")
	cfg, path := testConfig(t, srv.URL, 1, "tok")
	srv.EnqueueRaw(4242, "job-token-4242", []byte(`{"id": 4242, "token": "job-token-4242", "steps": "not a list"}`))
	graceful, done := startDaemon(t, srv, cfg, path)
	require.Eventually(t, func() bool { rec, _ := srv.Job(4242); return rec.Completed == 1 }, 30*time.Second, 10*time.Millisecond)
	close(graceful)
	require.NoError(t, <-done)
	rec, _ := srv.Job(4242)
	assert.Equal(t, "failed", rec.State)
	assert.Equal(t, 1, rec.FinalUpdates)
	assert.Contains(t, string(rec.Trace), "cannot be read")
}

package runner

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
	"kuberunner/test/coordinator"
)

// holdFakeJobs makes the fake executor's jobs wait until release (or the
// end of the test).
func holdFakeJobs(t *testing.T) (release func()) {
	ch := make(chan struct{})
	fakeRelease.Lock()
	fakeRelease.ch = ch
	fakeRelease.Unlock()
	var closed bool
	release = func() {
		if !closed {
			closed = true
			close(ch)
		}
	}
	t.Cleanup(release)
	return release
}

// newTestDaemon is New with the coordinator's client; it fails the test
// on error.
func newTestDaemon(t *testing.T, srv *coordinator.Server, cfg *config.Config, path string, log *logrus.Logger) *Daemon {
	t.Helper()
	if log == nil {
		log = logrus.New()
	}
	d, err := New(cfg, Options{ConfigPath: path, Log: log, HTTPClient: srv.Client()})
	require.NoError(t, err)
	return d
}

// runTestDaemon runs d until graceful closes (or a minute passes); done
// receives Run's result.
func runTestDaemon(t *testing.T, d *Daemon) (graceful chan struct{}, done chan error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	graceful, done = make(chan struct{}), make(chan error, 1)
	go func() { done <- d.Run(ctx, graceful) }()
	return graceful, done
}

// waitCompleted waits until every job in ids is reported.
func waitCompleted(t *testing.T, srv *coordinator.Server, ids ...int64) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, id := range ids {
			if rec, _ := srv.Job(id); rec.Completed != 1 {
				return false
			}
		}
		return true
	}, 30*time.Second, 10*time.Millisecond)
}

// requestsBy counts the job requests runner token tok sent.
func requestsBy(srv *coordinator.Server, tok string) int {
	n := 0
	for _, r := range srv.RequestsTo(coordinator.PathJobsRequest) {
		if r.Header.Get("RUNNER-TOKEN") == tok {
			n++
		}
	}
	return n
}

// concurrent from 1 to 3 while a job runs: three run at once afterwards,
// and the job that ran across the reload finishes and is reported once,
// its trace whole.
func TestReloadConcurrent(t *testing.T) {
	srv := coordinator.New(t, "tok")
	cfg, path := testConfig(t, srv.URL, 1, "tok")
	release := holdFakeJobs(t)
	var ids []int64
	for range 4 {
		ids = append(ids, srv.Enqueue(job("true")))
	}
	d := newTestDaemon(t, srv, cfg, path, nil)
	graceful, done := runTestDaemon(t, d)
	require.Eventually(t, func() bool { return srv.Running() == 1 }, 30*time.Second, 10*time.Millisecond)
	assert.Never(t, func() bool { return srv.Running() > 1 }, 300*time.Millisecond, 10*time.Millisecond, "concurrent = 1 holds the others back")

	next := *cfg
	next.Concurrent = 3
	require.NoError(t, d.Reload(&next))
	require.Eventually(t, func() bool { return srv.Running() == 3 }, 30*time.Second, 10*time.Millisecond)
	release()
	waitCompleted(t, srv, ids...)
	close(graceful)
	require.NoError(t, <-done)

	assert.Equal(t, 3, srv.MaxRunning())
	assert.Empty(t, srv.Violations())
	first, _ := srv.Job(ids[0])
	assert.Equal(t, "success", first.State)
	assert.Equal(t, 1, first.FinalUpdates)
	assert.Contains(t, string(first.Trace), fmt.Sprintf("job %d runs", ids[0]))
}

// A runner's limit from 1 to 2 applies to the runner in force.
func TestReloadLimit(t *testing.T) {
	srv := coordinator.New(t, "tok")
	cfg, path := testConfig(t, srv.URL, 5, "tok")
	cfg.Runners[0].Limit = 1
	release := holdFakeJobs(t)
	ids := []int64{srv.Enqueue(job("true")), srv.Enqueue(job("true")), srv.Enqueue(job("true"))}
	d := newTestDaemon(t, srv, cfg, path, nil)
	graceful, done := runTestDaemon(t, d)
	require.Eventually(t, func() bool { return srv.Running() == 1 }, 30*time.Second, 10*time.Millisecond)

	rc := *cfg.Runners[0]
	rc.Limit = 2
	next := *cfg
	next.Runners = []*config.RunnerConfig{&rc}
	require.NoError(t, d.Reload(&next))
	require.Eventually(t, func() bool { return srv.Running() == 2 }, 30*time.Second, 10*time.Millisecond)
	assert.Never(t, func() bool { return srv.Running() > 2 }, 300*time.Millisecond, 10*time.Millisecond)
	release()
	waitCompleted(t, srv, ids...)
	close(graceful)
	require.NoError(t, <-done)
	assert.Equal(t, 2, srv.MaxRunning())
}

// A runner added starts asking; a runner removed stops asking, and its
// running job finishes and is reported.
func TestReloadAddsAndRemovesRunners(t *testing.T) {
	srv := coordinator.New(t, "tok-a", "tok-b")
	cfg, path := testConfig(t, srv.URL, 4, "tok-a", "tok-b")
	onlyA, onlyB := *cfg, *cfg
	onlyA.Runners, onlyB.Runners = cfg.Runners[:1], cfg.Runners[1:]
	release := holdFakeJobs(t)
	d := newTestDaemon(t, srv, &onlyA, path, nil)
	graceful, done := runTestDaemon(t, d)
	first := srv.Enqueue(job("true"))
	require.Eventually(t, func() bool { return srv.Running() == 1 }, 30*time.Second, 10*time.Millisecond)
	assert.Zero(t, requestsBy(srv, "tok-b"))

	require.NoError(t, d.Reload(cfg))
	require.Eventually(t, func() bool { return requestsBy(srv, "tok-b") > 0 }, 30*time.Second, 10*time.Millisecond, "the added runner asks")

	require.NoError(t, d.Reload(&onlyB))
	time.Sleep(200 * time.Millisecond) // a request in flight is answered
	asked := requestsBy(srv, "tok-a")
	time.Sleep(1500 * time.Millisecond) // check_interval is 1 s
	assert.Equal(t, asked, requestsBy(srv, "tok-a"), "the removed runner stopped asking")
	second := srv.Enqueue(job("true"))
	require.Eventually(t, func() bool { return srv.Running() == 2 }, 30*time.Second, 10*time.Millisecond)
	release()
	waitCompleted(t, srv, first, second)
	close(graceful)
	require.NoError(t, <-done)

	a, _ := srv.Job(first)
	b, _ := srv.Job(second)
	assert.Equal(t, "tok-a", a.RunnerToken)
	assert.Equal(t, "success", a.State, "the removed runner's job was not disturbed")
	assert.Equal(t, "tok-b", b.RunnerToken)
	assert.Equal(t, "success", b.State)
	assert.Empty(t, srv.Violations())
}

// What the daemon cannot run is refused, and the configuration in force
// stays; what it can is in force at once.
func TestReloadChecks(t *testing.T) {
	srv := coordinator.New(t, "tok")
	cfg, path := testConfig(t, srv.URL, 2, "tok")
	log := logrus.New()
	d := newTestDaemon(t, srv, cfg, path, log)

	noURL := *cfg
	rc := *cfg.Runners[0]
	rc.URL = ""
	noURL.Runners = []*config.RunnerConfig{&rc}
	noRunners := *cfg
	noRunners.Runners = nil
	badLevel := *cfg
	badLevel.LogLevel = "loud"
	for name, bad := range map[string]*config.Config{"a runner without url": &noURL, "no runners": &noRunners, "a bad log_level": &badLevel} {
		t.Run(name, func(t *testing.T) {
			require.Error(t, d.Reload(bad))
			assert.Same(t, cfg, d.config())
		})
	}

	t.Run("log_level, log_format and check_interval", func(t *testing.T) {
		next := *cfg
		next.LogLevel, next.LogFormat, next.CheckInterval, next.ShutdownTimeout = "debug", "json", 7, 9
		require.NoError(t, d.Reload(&next))
		assert.Equal(t, logrus.DebugLevel, log.GetLevel())
		assert.IsType(t, &logrus.JSONFormatter{}, log.Formatter)
		assert.Equal(t, 7, d.config().CheckInterval)
		drain, _ := d.config().ShutdownWait()
		assert.Equal(t, 9*time.Second, drain)
	})
}

package runner

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
)

// A scrape after two fake jobs, one failed, holds every GitLab Runner
// metric with GitLab Runner's labels, `runner` being the short token, and
// kuberunner's own beside them; a scrape while a job runs shows it in
// gitlab_runner_jobs.
func TestGitLabRunnerMetrics(t *testing.T) {
	const token = "glrt-abcdefghijklmnopqrstuvwx"
	srv := coordinator.New(t, token)
	srv.SetTraceInterval(1)
	cfg, path := testConfig(t, srv.URL, 3, token)
	cfg.Runners[0].Name = "metrics"
	cfg.Runners[0].Limit = 2
	release := holdFakeJobs(t)
	var ids []int64
	for _, script := range []string{"true", "fail"} {
		j := job(script)
		j.JobInfo.TimeInQueueSeconds, j.JobInfo.ProjectJobsRunning = 12, "2"
		ids = append(ids, srv.Enqueue(j))
	}
	d := newTestDaemon(t, srv, cfg, path, nil)
	graceful, done := runTestDaemon(t, d)
	for _, id := range ids {
		waitRuns(t, srv, id)
	}

	runner := map[string]string{"runner": "abcdefghi", "runner_name": "metrics", "system_id": d.systemID}
	during := scrape(t, d.Handler())
	running, ok := value(during, "gitlab_runner_jobs", with(runner, "state", "running", "stage", "step_script", "executor_stage", "run"))
	assert.True(t, ok)
	assert.Equal(t, 2.0, running)

	release()
	waitCompleted(t, srv, ids...)
	close(graceful)
	require.NoError(t, <-done)

	after := scrape(t, d.Handler())
	want := []struct {
		name   string
		labels map[string]string
		value  float64
	}{
		{"gitlab_runner_jobs", with(runner, "state", "idle", "stage", "idle", "executor_stage", "idle"), 0},
		{"gitlab_runner_jobs_total", runner, 2},
		{"gitlab_runner_failed_jobs_total", map[string]string{"runner": "abcdefghi", "runner_name": "metrics", "failure_reason": "script_failure"}, 1},
		{"gitlab_runner_job_duration_seconds_count", runner, 2},
		{"gitlab_runner_job_queue_duration_seconds_count", with(runner, "project_jobs_running", "2"), 2},
		{"gitlab_runner_job_queue_duration_seconds_sum", with(runner, "project_jobs_running", "2"), 24},
		{"gitlab_runner_api_request_statuses_total", map[string]string{"runner": "abcdefghi", "system_id": d.systemID, "endpoint": "request_job", "status": "201", "method": "post"}, 2},
		{"gitlab_runner_api_request_statuses_total", map[string]string{"endpoint": "update_job", "status": "200", "method": "put"}, 2},
		{"gitlab_runner_concurrent", nil, 3},
		{"gitlab_runner_limit", runner, 2},
		{"gitlab_runner_errors_total", map[string]string{"level": "panic"}, 0},
		{"gitlab_runner_version_info", map[string]string{"name": "kuberunner", "go_version": runtime.Version(), "os": runtime.GOOS}, 1},
	}
	for _, w := range want {
		got, ok := value(after, w.name, w.labels)
		if assert.True(t, ok, "%s%v missing", w.name, w.labels) {
			assert.Equal(t, w.value, got, "%s%v", w.name, w.labels)
		}
	}
	patches, ok := value(after, "gitlab_runner_api_request_statuses_total", map[string]string{"endpoint": "patch_trace", "status": "202", "method": "patch"})
	assert.True(t, ok)
	assert.GreaterOrEqual(t, patches, 2.0)
	for _, level := range []string{"panic", "fatal", "error", "warning"} {
		_, ok := value(after, "gitlab_runner_errors_total", map[string]string{"level": level})
		assert.True(t, ok, "errors_total level %s", level)
	}
	_, ok = value(after, "kuberunner_jobs_total", map[string]string{"runner": "metrics", "state": "failed", "failure_reason": "script_failure"})
	assert.True(t, ok, "kuberunner's own metrics are served beside")
	_, ok = value(after, "gitlab_runner_jobs", map[string]string{"state": "running"})
	assert.False(t, ok, "no job runs any more")
}

// with is labels plus the pairs kv.
func with(labels map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range labels {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// A warning in the daemon's log counts in gitlab_runner_errors_total.
func TestErrorsTotalCountsTheLog(t *testing.T) {
	cfg, path := testConfig(t, "http://127.0.0.1:1", 1, "tok")
	d := newTestDaemon(t, coordinator.New(t, "tok"), cfg, path, nil)
	d.log.Warn("one")
	d.log.Error("two")
	d.log.Info("not counted")
	m := scrape(t, d.Handler())
	for level, want := range map[string]float64{"warning": 1, "error": 1, "fatal": 0} {
		got, _ := value(m, "gitlab_runner_errors_total", map[string]string{"level": level})
		assert.Equal(t, want, got, level)
	}
}

// /-/health answers while the process serves; /-/ready only while the
// daemon asks GitLab for jobs.
func TestProbes(t *testing.T) {
	srv := coordinator.New(t, "tok")
	cfg, path := testConfig(t, srv.URL, 1, "tok")
	d := newTestDaemon(t, srv, cfg, path, nil)
	probe := func(path string) int {
		rec := httptest.NewRecorder()
		d.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	assert.Equal(t, http.StatusOK, probe("/-/health"))
	assert.Equal(t, http.StatusServiceUnavailable, probe("/-/ready"), "before Run")

	graceful, done := runTestDaemon(t, d)
	require.Eventually(t, func() bool { return probe("/-/ready") == http.StatusOK }, 30*time.Second, 10*time.Millisecond)
	close(graceful)
	require.NoError(t, <-done)
	assert.Equal(t, http.StatusServiceUnavailable, probe("/-/ready"), "after a stop")
	assert.Equal(t, http.StatusOK, probe("/-/health"))
}

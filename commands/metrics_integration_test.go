//go:build integration

package commands

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
)

// The reference scenario through the `kuberunner run` binary, then its
// /metrics as an operator scrapes it: the pull failure with its class and
// policy, the fallback from "always" to "if-not-present", two pod
// attempts, the reaction and detection times. METRICS_SCRAPE=FILE keeps
// the kuberunner_ lines (docs/observability.md shows them).
func TestSeedScenarioMetrics(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "metrics-seed"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	clustertest.StopRegistry(t)
	srv := coordinator.New(t, "tok")
	d := startBenchDaemon(t, srv, clustertest.Namespace(t), img, `["always", "if-not-present"]`, 1)
	id := srv.Enqueue(common.Job{Steps: []common.Step{{Name: common.StepScript, Script: []string{"echo Done"}, When: common.WhenOnSuccess}}})
	require.Eventually(t, func() bool { rec, _ := srv.Job(id); return rec.Completed == 1 }, 3*time.Minute, 50*time.Millisecond)
	rec, _ := srv.Job(id)
	require.Equal(t, "success", rec.State, "trace:\n%s", rec.Trace)

	resp, err := http.Get(d.metrics)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	var ours []string
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "kuberunner_") || strings.HasPrefix(line, "# HELP kuberunner_") || strings.HasPrefix(line, "# TYPE kuberunner_") {
			ours = append(ours, line)
		}
	}
	scrape := strings.Join(ours, "\n") + "\n"
	t.Logf("scrape:\n%s", scrape)
	if path := os.Getenv("METRICS_SCRAPE"); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(scrape), 0o644))
	}
	m, err := d.scrape()
	require.NoError(t, err)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	has := func(prefix string, parts ...string) float64 {
		for _, k := range keys {
			if !strings.HasPrefix(k, prefix) {
				continue
			}
			all := true
			for _, p := range parts {
				all = all && strings.Contains(k, p)
			}
			if all {
				return m[k]
			}
		}
		return 0
	}
	// The build and the helper image both fail and fall back, one each.
	assert.GreaterOrEqual(t, has("kuberunner_image_pull_failures_total", `class="unreachable"`, `pull_policy="always"`), 1.0)
	assert.GreaterOrEqual(t, has("kuberunner_pull_fallbacks_total", `from_policy="always"`, `to_policy="if-not-present"`), 1.0)
	assert.Equal(t, 1.0, has("kuberunner_job_pod_attempts_count"))
	assert.Equal(t, 2.0, has("kuberunner_job_pod_attempts_sum"))
	assert.Equal(t, 1.0, has("kuberunner_pull_failure_detection_seconds_count"))
	assert.Equal(t, 1.0, has("kuberunner_jobs_total", `state="success"`))
}

// A scrape of `kuberunner run` after real jobs, one that succeeds and one
// that fails, holds every GitLab Runner metric an operator's dashboards
// and alerts use, with `runner` the short token, and the probes answer on
// listen_address.
func TestGitLabRunnerMetricsAfterJobs(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "metrics-gitlab"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	const token = "glrt-t1_metricsABCDEFGHIJKLMNOP"
	srv := coordinator.New(t, token)
	srv.SetTraceInterval(1)
	base := startMetricsDaemon(t, srv, clustertest.Namespace(t), img, token)
	for _, probe := range []string{"/-/health", "/-/ready"} {
		resp, err := http.Get(base + probe)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, probe)
	}
	ok := srv.Enqueue(common.Job{
		JobInfo: common.JobInfo{Name: "ok", TimeInQueueSeconds: 4, ProjectJobsRunning: "+Inf"},
		Steps:   []common.Step{{Name: common.StepScript, Script: []string{"echo fine"}, When: common.WhenOnSuccess}},
	})
	bad := srv.Enqueue(daemonJob("exit 3"))
	for _, id := range []int64{ok, bad} {
		require.Eventually(t, func() bool { rec, _ := srv.Job(id); return rec.Completed == 1 }, 3*time.Minute, 50*time.Millisecond)
	}

	d := &benchDaemon{metrics: base + "/metrics"}
	m, err := d.scrape()
	require.NoError(t, err)
	short := `runner="t1_metric"`
	for _, want := range []struct {
		prefix string
		parts  []string
	}{
		{"gitlab_runner_jobs{", []string{short, `runner_name="metrics"`, `state="idle"`}},
		{"gitlab_runner_jobs_total{", []string{short}},
		{"gitlab_runner_failed_jobs_total{", []string{short, `failure_reason="script_failure"`}},
		{"gitlab_runner_job_duration_seconds_count{", []string{short}},
		{"gitlab_runner_job_queue_duration_seconds_count{", []string{short, `project_jobs_running="+Inf"`}},
		{"gitlab_runner_api_request_statuses_total{", []string{short, `endpoint="request_job"`, `status="201"`, `method="post"`}},
		{"gitlab_runner_api_request_statuses_total{", []string{short, `endpoint="patch_trace"`, `method="patch"`}},
		{"gitlab_runner_api_request_statuses_total{", []string{short, `endpoint="update_job"`, `status="200"`, `method="put"`}},
		{"gitlab_runner_concurrent", nil},
		{"gitlab_runner_limit{", []string{short}},
		{"gitlab_runner_errors_total{", []string{`level="warning"`}},
		{"gitlab_runner_version_info{", []string{`name="kuberunner"`}},
		{"kuberunner_jobs_total{", []string{`state="success"`}},
	} {
		found := false
		for k := range m {
			hit := strings.HasPrefix(k, want.prefix)
			for _, p := range want.parts {
				hit = hit && strings.Contains(k, p)
			}
			found = found || hit
		}
		assert.True(t, found, "%s with %v in the scrape", want.prefix, want.parts)
	}
	assert.Equal(t, 2.0, m[`gitlab_runner_jobs_total{runner="t1_metric",runner_name="metrics",system_id="`+systemIDOf(t, m)+`"}`])
	assert.Equal(t, 1.0, m["gitlab_runner_concurrent"])
}

// startMetricsDaemon runs `kuberunner run` with listen_address on a free
// port and one runner of token; it returns the listen address as a URL.
func startMetricsDaemon(t *testing.T, srv *coordinator.Server, ns, image, token string) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	cfg := fmt.Sprintf("concurrent = 1\ncheck_interval = 1\nlisten_address = %q\n\n[[runners]]\n  name = \"metrics\"\n  url = %q\n  token = %q\n  [runners.kubernetes]\n    namespace = %q\n    image = %q\n    helper_image = %q\n    pull_policy = \"if-not-present\"\n",
		addr, srv.URL, token, ns, image, localcluster.HelperImage)
	path := filepath.Join(t.TempDir(), "config.toml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	cmd := exec.Command(kuberunnerBinary(t), "run", "--config", path)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+clustertest.Cluster(t).KubeconfigPath())
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		t.Logf("kuberunner run:\n%s", out.String())
	})
	base := "http://" + addr
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 30*time.Second, 50*time.Millisecond)
	return base
}

// systemIDOf is the system_id label of the scrape.
func systemIDOf(t *testing.T, m map[string]float64) string {
	for k := range m {
		if i := strings.Index(k, `system_id="`); strings.HasPrefix(k, "gitlab_runner_limit{") && i >= 0 {
			rest := k[i+len(`system_id="`):]
			return rest[:strings.IndexByte(rest, '"')]
		}
	}
	t.Fatal("no system_id in the scrape")
	return ""
}

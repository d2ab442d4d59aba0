//go:build integration

package commands

import (
	"io"
	"net/http"
	"os"
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

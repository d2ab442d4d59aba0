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
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
)

// benchDaemon is `kuberunner run` as a process with its metrics served, so
// the benchmark reads the API requests and goroutines the way an operator
// would.
type benchDaemon struct {
	cmd     *exec.Cmd
	metrics string
}

func startBenchDaemon(b testing.TB, srv *coordinator.Server, ns, image string, policies string, concurrent int, kubeKeys ...string) *benchDaemon {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(b, err)
	addr := l.Addr().String()
	l.Close()
	cfg := fmt.Sprintf("concurrent = %d\ncheck_interval = 1\nlisten_address = %q\nlog_level = \"warning\"\n\n[[runners]]\n  name = \"bench\"\n  url = %q\n  token = \"tok\"\n  request_concurrency = %d\n  [runners.kubernetes]\n    namespace = %q\n    image = %q\n    helper_image = %q\n    pull_policy = %s\n",
		concurrent, addr, srv.URL, min(concurrent, 4), ns, image, localcluster.HelperImage, policies) + strings.Join(kubeKeys, "\n") + "\n"
	path := filepath.Join(b.TempDir(), "config.toml")
	require.NoError(b, os.WriteFile(path, []byte(cfg), 0o600))
	cmd := exec.Command(kuberunnerBinary(b), "run", "--config", path)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+clustertest.Cluster(b).KubeconfigPath())
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(b, cmd.Start())
	b.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	d := &benchDaemon{cmd: cmd, metrics: "http://" + addr + "/metrics"}
	require.Eventually(b, func() bool { _, err := d.scrape(); return err == nil }, 30*time.Second, 50*time.Millisecond)
	return d
}

// scrape returns the daemon's metrics as name{labels} → value.
func (d *benchDaemon) scrape() (map[string]float64, error) {
	resp, err := http.Get(d.metrics)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out, nil
}

// sum adds the series whose name starts with prefix.
func sum(m map[string]float64, prefix string) float64 {
	total := 0.0
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			total += v
		}
	}
	return total
}

// peakRSS is the process's high-water resident set, in MiB. The kernel
// raises VmHWM only on some paths (an unmap, say), so it can lag the
// current VmRSS; the larger of the two is the peak so far.
func peakRSS(b testing.TB, pid int) float64 {
	return max(procStatusMiB(b, pid, "VmHWM:"), procStatusMiB(b, pid, "VmRSS:"))
}

// procStatusMiB reads a kB field of /proc/PID/status, in MiB.
func procStatusMiB(b testing.TB, pid int, field string) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(b, err)
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field) {
			kb, err := strconv.ParseFloat(strings.Fields(line)[1], 64)
			require.NoError(b, err)
			return kb / 1024
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

func runJobs(b *testing.B, srv *coordinator.Server, n int) []time.Duration {
	times, _ := runJobRecords(b, srv, n)
	return times
}

// runJobRecords queues n jobs that run `true` and returns, in queue order,
// the time GitLab saw each take and the pods each created.
func runJobRecords(b *testing.B, srv *coordinator.Server, n int) ([]time.Duration, []int) {
	var ids []int64
	for range n {
		ids = append(ids, srv.Enqueue(common.Job{Steps: []common.Step{{Name: common.StepScript, Script: []string{"true"}, When: common.WhenOnSuccess}}}))
	}
	var times []time.Duration
	var pods []int
	for _, id := range ids {
		var rec coordinator.JobRecord
		require.Eventually(b, func() bool { rec, _ = srv.Job(id); return rec.Completed == 1 }, 10*time.Minute, 20*time.Millisecond)
		require.Equal(b, "success", rec.State, string(rec.Trace))
		times = append(times, rec.CompletedAt.Sub(rec.StartedAt))
		pods = append(pods, strings.Count(string(rec.Trace), ": created pod "))
	}
	return times, pods
}

// BenchmarkBreakerOutage runs jobs one at a time while the registry is
// down and the image is on the node, with the registry breaker on and
// off, and, for the goal's yardstick in the same sitting, with the
// registry up and no fallback: p50 and p95 of the jobs after the first
// (the first pays for the outage either way), pods and API requests per
// job.
func BenchmarkBreakerOutage(b *testing.B) {
	for _, tc := range []struct{ name, policies, breaker string }{
		{"no-outage", `"if-not-present"`, "on"},
		{"breaker-on", `["always", "if-not-present"]`, "on"},
		{"breaker-off", `["always", "if-not-present"]`, "off"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			img := clustertest.Push(b, clustertest.UniqueImage(b, "bench-breaker"))
			clustertest.Cache(b, img)
			clustertest.CacheShared(b, localcluster.HelperImage)
			if tc.name != "no-outage" {
				clustertest.StopRegistry(b)
			}
			srv := coordinator.New(b, "tok")
			d := startBenchDaemon(b, srv, clustertest.Namespace(b), img, tc.policies, 1,
				fmt.Sprintf("    pull_policy_breaker = %q", tc.breaker))
			before, _ := d.scrape()
			b.ResetTimer()
			times, pods := runJobRecords(b, srv, max(b.N, 2))
			b.StopTimer()
			after, _ := d.scrape()
			const api = "kuberunner_kubernetes_api_requests_total"
			total := 0
			for _, p := range pods {
				total += p
			}
			b.ReportMetric(pct(times[1:], 50), "job2+-p50-s")
			b.ReportMetric(pct(times[1:], 95), "job2+-p95-s")
			b.ReportMetric(float64(total)/float64(len(pods)), "pods/job")
			b.ReportMetric((sum(after, api)-sum(before, api))/float64(len(pods)), "api-requests/job")
		})
	}
}

func pct(ds []time.Duration, p int) float64 {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)].Seconds()
}

// BenchmarkRunJob is the time GitLab sees for a job that runs `true`
// through `kuberunner run`: from the 201 that hands it out to the final
// update, one job at a time, without and with one fallback.
func BenchmarkRunJob(b *testing.B) {
	for _, tc := range []struct{ name, policies string }{
		{"no-fallback", `"if-not-present"`},
		{"one-fallback", `["always", "if-not-present"]`}, // every job pays: the breaker is off
	} {
		b.Run(tc.name, func(b *testing.B) {
			img := clustertest.Push(b, clustertest.UniqueImage(b, "bench-run"))
			clustertest.Cache(b, img)
			clustertest.CacheShared(b, localcluster.HelperImage)
			if tc.name == "one-fallback" {
				clustertest.StopRegistry(b)
			}
			srv := coordinator.New(b, "tok")
			d := startBenchDaemon(b, srv, clustertest.Namespace(b), img, tc.policies, 1, `    pull_policy_breaker = "off"`)
			before, _ := d.scrape()
			b.ResetTimer()
			times := runJobs(b, srv, b.N)
			b.StopTimer()
			after, _ := d.scrape()
			const api = "kuberunner_kubernetes_api_requests_total"
			b.ReportMetric(pct(times, 50), "job-p50-s")
			b.ReportMetric(pct(times, 95), "job-p95-s")
			b.ReportMetric((sum(after, api)-sum(before, api))/float64(b.N), "api-requests/job")
		})
	}
}

// BenchmarkRunHundredJobs queues 100 jobs for concurrent = 10 and reports
// throughput, the daemon's peak RSS, its goroutines before and after, and
// the API requests per job with the shared informer.
func BenchmarkRunHundredJobs(b *testing.B) {
	img := clustertest.Push(b, clustertest.UniqueImage(b, "bench-hundred"))
	clustertest.Cache(b, img)
	clustertest.CacheShared(b, localcluster.HelperImage)
	for range b.N {
		srv := coordinator.New(b, "tok")
		d := startBenchDaemon(b, srv, clustertest.Namespace(b), img, `"if-not-present"`, 10)
		before, _ := d.scrape()
		began := time.Now()
		times := runJobs(b, srv, 100)
		elapsed := time.Since(began)
		time.Sleep(2 * time.Second) // let finished jobs' goroutines end
		after, _ := d.scrape()
		const api = "kuberunner_kubernetes_api_requests_total"
		b.ReportMetric(100/elapsed.Minutes(), "jobs/min")
		b.ReportMetric(pct(times, 50), "job-p50-s")
		b.ReportMetric(peakRSS(b, d.cmd.Process.Pid), "peak-RSS-MiB")
		b.ReportMetric(before["go_goroutines"], "goroutines-before")
		b.ReportMetric(after["go_goroutines"], "goroutines-after")
		b.ReportMetric((sum(after, api)-sum(before, api))/100, "api-requests/job")
		b.ReportMetric(float64(srv.MaxRunning()), "max-running")
	}
}

//go:build integration && soak

package commands

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
)

// soakSample is the runner process at one point of the soak.
type soakSample struct {
	done       int
	rssMiB     float64
	goroutines float64
}

// TestSoak runs SOAK_JOBS jobs (default 300) through `kuberunner run` at
// concurrent = 10 while faults from the fault tests strike at random:
// the registry stops and starts, job pods are deleted, the API server
// restarts. Jobs may fail under them; what must hold is that every job is
// reported exactly once, nothing is left in the namespace, and the
// runner's memory and goroutines stay flat. `make soak` runs it.
func TestSoak(t *testing.T) {
	n := 300
	if v := os.Getenv("SOAK_JOBS"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(t, err, "SOAK_JOBS")
	}
	img := clustertest.Push(t, clustertest.UniqueImage(t, "soak"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	ns := clustertest.Namespace(t)
	srv := coordinator.New(t, "tok")
	d := startBenchDaemon(t, srv, ns, img, `["always", "if-not-present"]`, 10)
	features := common.JobFeatures{FailureReasons: []string{"script_failure", "runner_system_failure", "image_pull_failure", "job_execution_timeout"}}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = srv.Enqueue(common.Job{Features: features, Timeout: 5 * time.Minute,
			Steps: []common.Step{{Name: common.StepScript, Script: []string{fmt.Sprintf("echo soak-%d", i), "sleep 1", "echo done"}, When: common.WhenOnSuccess}}})
	}
	began := time.Now()

	stop := make(chan struct{})
	var faults sync.WaitGroup
	faults.Add(1)
	var injected []string
	go func() {
		defer faults.Done()
		injected = injectFaults(t, ns, stop)
	}()

	completed := func() int {
		c := 0
		for _, id := range ids {
			if rec, _ := srv.Job(id); rec.Completed > 0 {
				c++
			}
		}
		return c
	}
	var samples []soakSample
	next := 25
	deadline := time.Now().Add(45 * time.Minute)
	for done := completed(); done < n; done = completed() {
		require.True(t, time.Now().Before(deadline), "soak: only %d of %d jobs reported after 45 minutes", done, n)
		if done >= next {
			m, err := d.scrape()
			if err == nil {
				samples = append(samples, soakSample{done, procStatusMiB(t, d.cmd.Process.Pid, "VmRSS:"), m["go_goroutines"]})
			}
			next += 25
		}
		time.Sleep(500 * time.Millisecond) // sampling the coordinator's records, not waiting on a pod
	}
	elapsed := time.Since(began)
	close(stop)
	faults.Wait()

	states := map[string]int{}
	for _, id := range ids {
		rec, _ := srv.Job(id)
		assert.Equal(t, 1, rec.Completed, "job %d reported exactly once", id)
		key := rec.State
		if rec.FailureReason != "" {
			key += "/" + rec.FailureReason
		}
		states[key]++
	}
	assert.Empty(t, srv.Violations())
	cs, _ := clustertest.Client(t)
	sel := metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kuberunner"}
	var pods, secrets int
	require.Eventually(t, func() bool {
		p, err1 := cs.CoreV1().Pods(ns).List(context.Background(), sel)
		s, err2 := cs.CoreV1().Secrets(ns).List(context.Background(), sel)
		if err1 != nil || err2 != nil {
			return false
		}
		pods, secrets = len(p.Items), len(s.Items)
		return pods == 0 && secrets == 0
	}, time.Minute, 500*time.Millisecond, "leaked: %d pods, %d secrets", pods, secrets)

	peak := peakRSS(t, d.cmd.Process.Pid)
	for _, s := range samples {
		peak = max(peak, s.rssMiB) // VmHWM lags; a sample may have seen more
	}
	report := soakReport(n, elapsed, states, injected, samples, peak)
	t.Log("\n" + report)
	if path := os.Getenv("SOAK_REPORT"); path != "" {
		require.NoError(t, os.WriteFile(path, []byte(report), 0o644))
	}
	// Flat: from job 50 on, while the queue keeps 10 jobs running, no
	// growth beyond noise.
	var steady []soakSample
	for _, s := range samples {
		if s.done >= 50 && s.done <= n-10 {
			steady = append(steady, s)
		}
	}
	if len(steady) >= 2 {
		first, last := steady[0], steady[len(steady)-1]
		assert.LessOrEqual(t, last.goroutines, first.goroutines+20, "goroutines grew from job %d to job %d", first.done, last.done)
		assert.LessOrEqual(t, last.rssMiB, first.rssMiB*1.3+5, "RSS grew from job %d to job %d", first.done, last.done)
	}
}

// injectFaults strikes every 8–15 s until stop, and returns what it did:
// registry outages and pod deletes two times in five each, an API server
// restart one time in five (a restart every minute or so is already far
// more than a real control plane sees).
func injectFaults(t *testing.T, ns string, stop <-chan struct{}) []string {
	cs, _ := clustertest.Client(t)
	var did []string
	for {
		select {
		case <-stop:
			return did
		case <-time.After(time.Duration(8000+rand.IntN(7000)) * time.Millisecond):
		}
		switch rand.IntN(5) {
		case 0, 3:
			clustertest.StopRegistry(t)
			time.Sleep(time.Duration(3+rand.IntN(8)) * time.Second) // the outage's length
			clustertest.StartRegistry(t)
			did = append(did, "registry stop+start")
		case 1, 4:
			pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kuberunner"})
			if err != nil || len(pods.Items) == 0 {
				continue
			}
			p := pods.Items[rand.IntN(len(pods.Items))]
			zero := int64(0)
			if cs.CoreV1().Pods(ns).Delete(context.Background(), p.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero}) == nil {
				did = append(did, "pod delete")
			}
		case 2:
			clustertest.RestartAPIServer(t)
			did = append(did, "API server restart")
		}
	}
}

// soakReport is the figures docs/reliability.md shows.
func soakReport(n int, elapsed time.Duration, states map[string]int, injected []string, samples []soakSample, peak float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "jobs: %d in %s (%.0f jobs/min)\n", n, elapsed.Round(time.Second), float64(n)/elapsed.Minutes())
	var keys []string
	for k := range states {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %-40s %d\n", k, states[k])
	}
	count := map[string]int{}
	for _, f := range injected {
		count[f]++
	}
	fmt.Fprintf(&b, "faults: %d (registry stop+start %d, pod delete %d, API server restart %d)\n", len(injected),
		count["registry stop+start"], count["pod delete"], count["API server restart"])
	fmt.Fprintf(&b, "peak RSS: %.1f MiB\n", peak)
	b.WriteString("after job | RSS MiB | goroutines\n")
	for _, s := range samples {
		fmt.Fprintf(&b, "%9d | %7.1f | %10.0f\n", s.done, s.rssMiB, s.goroutines)
	}
	return b.String()
}

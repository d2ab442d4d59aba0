//go:build integration

package kubernetes

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/breaker"
	"kuberunner/test/clustertest"
	"kuberunner/test/localcluster"
)

// BenchmarkJob runs whole jobs on the local cluster and reports what
// docs/performance.md quotes: API requests per job and per attempt, and for
// the fallback case the reaction time (the watch delivering the failing
// container status → the next pod's create call returning) at p50 and p95.
//
//	make bench   (go test -tags integration -run '^$' -bench Job -benchtime 20x ./executors/kubernetes/)
func BenchmarkJob(b *testing.B) {
	ns := clustertest.Namespace(b)
	served := clustertest.Push(b, clustertest.UniqueImage(b, "bench-served"))
	clustertest.Cache(b, served)
	unserved := clustertest.Push(b, clustertest.UniqueImage(b, "bench-unserved"))
	clustertest.Cache(b, unserved)
	clustertest.Delete(b, unserved) // the registry is up but lacks it: attempt 1 fails
	clustertest.CacheShared(b, localcluster.HelperImage)

	for _, bc := range []struct {
		name  string
		image string
	}{
		{"no-fallback", served},
		{"one-fallback", unserved},
	} {
		b.Run(bc.name, func(b *testing.B) {
			_, rc := clustertest.Client(b)
			var reactions []time.Duration
			requests, attempts := 0, 0
			byKind := map[string]int{}
			for i := 0; i < b.N; i++ {
				cfg := config.KubernetesConfig{Namespace: ns, Image: bc.image, HelperImage: localcluster.HelperImage,
					PullPolicy: alwaysThenCached, PollTimeout: 120}
				job := &common.Job{ID: int64(i), Steps: []common.Step{{Name: common.StepScript, Script: []string{"true"}, When: common.WhenOnSuccess}}}
				log := buildlog.New(io.Discard, buildlog.Format("terminal"), nil)
				e := New(rc)
				e.registries = breaker.New(b.Context(), breaker.Options{}) // each job pays its own fallback
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
				err := executors.Run(ctx, e, executors.Options{Job: job, Runner: &config.RunnerConfig{Name: "bench", Kubernetes: &cfg}, Log: log})
				cancel()
				if err != nil {
					b.Fatalf("job %d: %v", i, err)
				}
				reactions = append(reactions, e.stats.reactions...)
				attempts += e.stats.attempts
				for k, v := range e.api.Requests.Snapshot() {
					requests += v
					byKind[k.Verb+" "+k.Resource] += v
				}
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/job")
			b.ReportMetric(float64(requests)/float64(attempts), "requests/attempt")
			if len(reactions) > 0 {
				sort.Slice(reactions, func(i, j int) bool { return reactions[i] < reactions[j] })
				b.ReportMetric(ms(percentile(reactions, 50)), "reaction-p50-ms")
				b.ReportMetric(ms(percentile(reactions, 95)), "reaction-p95-ms")
				b.ReportMetric(ms(reactions[len(reactions)-1]), "reaction-max-ms")
			}
			b.Logf("%d jobs, %d attempts, %d fallbacks; requests per job by verb and resource: %s",
				b.N, attempts, len(reactions), perJob(byKind, b.N))
		})
	}
}

func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	if i < 1 {
		i = 1
	}
	return sorted[i-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func perJob(m map[string]int, n int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%.1f, ", k, float64(m[k])/float64(n))
	}
	return strings.TrimSuffix(b.String(), ", ")
}

// BenchmarkJobTwoNodeFallback runs the fallback of a registry outage on a
// pool of two nodes (newTwoNodes): attempt 1 lands on the empty node and
// fails there, and the fallback pod is steered to the node that holds the
// image. It reports the reaction time (which now includes reading the
// nodes: the first list of the shared node informer, then its cache) and
// the whole job's time, and fails if a fallback pod ran elsewhere.
//
//	make bench   (-bench Job matches it too)
func BenchmarkJobTwoNodeFallback(b *testing.B) {
	tn := newTwoNodes(b, "bench-two-nodes")
	_, rc := clustertest.Client(b)
	// The setup waits up to ~30 s for the node to list the image.
	b.ResetTimer()
	var reactions, jobs []time.Duration
	for i := 0; i < b.N; i++ {
		cfg := tn.config("")
		cfg.Namespace, cfg.HelperImage, cfg.PollTimeout = tn.ns, localcluster.HelperImage, 60
		job := &common.Job{ID: int64(i), Steps: []common.Step{{Name: common.StepScript, Script: []string{"true"}, When: common.WhenOnSuccess}}}
		log := buildlog.New(io.Discard, buildlog.Format("terminal"), nil)
		e := New(rc)
		e.registries = breaker.New(b.Context(), breaker.Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		began := time.Now()
		err := executors.Run(ctx, e, executors.Options{Job: job, Runner: &config.RunnerConfig{Name: "bench", Kubernetes: &cfg}, Log: log})
		jobs = append(jobs, time.Since(began))
		cancel()
		if err != nil {
			b.Fatalf("job %d: %v", i, err)
		}
		if e.pod.Spec.NodeName != localcluster.NodeName {
			b.Fatalf("job %d: the fallback pod ran on %s, not on %s, which holds the image", i, e.pod.Spec.NodeName, localcluster.NodeName)
		}
		reactions = append(reactions, e.stats.reactions...)
	}
	sort.Slice(reactions, func(i, j int) bool { return reactions[i] < reactions[j] })
	sort.Slice(jobs, func(i, j int) bool { return jobs[i] < jobs[j] })
	b.ReportMetric(ms(percentile(reactions, 50)), "reaction-p50-ms")
	b.ReportMetric(ms(percentile(reactions, 95)), "reaction-p95-ms")
	b.ReportMetric(ms(reactions[len(reactions)-1]), "reaction-max-ms")
	b.ReportMetric(ms(percentile(jobs, 50)), "job-p50-ms")
	b.ReportMetric(ms(jobs[len(jobs)-1]), "job-max-ms")
	b.Logf("%d jobs, %d fallbacks, %d first attempts on the empty node %s; every fallback pod ran on %s",
		b.N, len(reactions), len(tn.fakePulls.Bound()), tn.fake, localcluster.NodeName)
}

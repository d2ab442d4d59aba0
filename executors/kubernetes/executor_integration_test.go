//go:build integration

package kubernetes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/breaker"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/executors/kubernetes/internal/pull"
	"kuberunner/test/clustertest"
	"kuberunner/test/localcluster"
)

var alwaysThenCached = common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent}

// jobRun is one job run through the executor on the local cluster.
type jobRun struct {
	exec *Executor
	log  string
	err  error
	ns   string
}

// runOnCluster runs a job whose image is image with the given runner
// settings, through executors.Run (prepare, run, cleanup), and checks that
// nothing of the job is left in the namespace afterwards, whatever happened.
func runOnCluster(t *testing.T, ns string, cfg config.KubernetesConfig, job *common.Job) jobRun {
	t.Helper()
	_, rc := clustertest.Client(t)
	return runOnClusterAs(t, rc, ns, cfg, job)
}

// runOnClusterAs is runOnCluster with the runner acting as rc says (a
// service account, say); the check that nothing is left uses the admin.
func runOnClusterAs(t *testing.T, rc *rest.Config, ns string, cfg config.KubernetesConfig, job *common.Job) jobRun {
	t.Helper()
	cs, _ := clustertest.Client(t)
	cfg.Namespace = ns
	if cfg.HelperImage == "" {
		cfg.HelperImage = localcluster.HelperImage
	}
	if cfg.PollTimeout == 0 {
		cfg.PollTimeout = 120
	}
	if len(job.Steps) == 0 {
		job.Steps = []common.Step{{Name: common.StepScript, Script: []string{"echo Done"}, When: common.WhenOnSuccess}}
	}
	var buf bytes.Buffer
	log := buildlog.New(&buf, buildlog.Format("terminal"), nil)
	e := New(rc)
	// A breaker set of its own: the process's would carry one test's
	// registry outage into the next.
	e.registries = breaker.New(t.Context(), breaker.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	err := executors.Run(ctx, e, executors.Options{Job: job, Runner: &config.RunnerConfig{Name: "it", Kubernetes: &cfg}, Log: log})
	require.NoError(t, log.Close())
	t.Logf("build log:\n%s", buf.String())

	if e.spec != nil {
		sel := metav1.ListOptions{LabelSelector: podspec.JobLabel + "=" + e.spec.Key}
		pods, lerr := cs.CoreV1().Pods(ns).List(ctx, sel)
		require.NoError(t, lerr)
		require.Empty(t, pods.Items, "the job's pods must be gone after cleanup")
		secrets, lerr := cs.CoreV1().Secrets(ns).List(ctx, sel)
		require.NoError(t, lerr)
		require.Empty(t, secrets.Items, "the job's secrets must be gone after cleanup")
	}
	return jobRun{exec: e, log: buf.String(), err: err, ns: ns}
}

// cachedImage pushes a fresh image, puts it in the node's cache, and
// returns it; the helper image is cached too, so that a registry outage
// tests the fallback of every image.
func cachedImage(t *testing.T, base string) string {
	img := clustertest.Push(t, clustertest.UniqueImage(t, base))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	return img
}

func requireBuildError(t *testing.T, err error, reason common.FailureReason) *common.BuildError {
	t.Helper()
	var be *common.BuildError
	require.True(t, errors.As(err, &be), "want a BuildError, got %v", err)
	require.Equal(t, reason, be.FailureReason, "failure reason; error: %v", err)
	return be
}

// The reference scenario: ["always", "if-not-present"], the node holds the
// image, the registry cannot serve it, once because it is down and once
// because the image was deleted from it.
func TestSeedScenario(t *testing.T) {
	tests := []struct {
		name        string
		breakIt     func(t *testing.T, img string)
		kubeletSays string
	}{
		{"registry stopped", func(t *testing.T, _ string) { clustertest.StopRegistry(t) }, "connection refused"},
		{"image deleted from registry", func(t *testing.T, img string) { clustertest.Delete(t, img) }, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := clustertest.Namespace(t)
			img := cachedImage(t, "seed")
			tt.breakIt(t, img)

			r := runOnCluster(t, ns, config.KubernetesConfig{Image: img, PullPolicy: alwaysThenCached}, &common.Job{ID: 1})
			require.NoError(t, r.err)
			require.Equal(t, 2, r.exec.stats.attempts)
			require.Contains(t, r.log, fmt.Sprintf(`Failed to pull image %q for container "build" with pull policy "always": ErrImagePull: `, img))
			require.Regexp(t, `for container "build" with pull policy "always": ErrImagePull: .*`+tt.kubeletSays, r.log)
			require.Contains(t, r.log, fmt.Sprintf(`Falling back for image %q: attempt 2 will use pull policy "if-not-present"`, img))
			require.Contains(t, r.log, "build=IfNotPresent")
			require.Contains(t, r.log, "\nDone\n")
		})
	}
}

// Nothing cached and the registry down: both policies fail and the job
// says so, naming the image and the policies tried.
func TestNotCachedRegistryDown(t *testing.T) {
	ns := clustertest.Namespace(t)
	img := clustertest.Push(t, clustertest.UniqueImage(t, "uncached"))
	clustertest.CacheShared(t, localcluster.HelperImage)
	clustertest.StopRegistry(t)

	r := runOnCluster(t, ns, config.KubernetesConfig{Image: img, PullPolicy: alwaysThenCached}, &common.Job{ID: 2})
	requireBuildError(t, r.err, common.ImagePullFailure)
	require.ErrorIs(t, r.err, pull.ErrPoliciesExhausted)
	var pe *pull.ImagePullError
	require.ErrorAs(t, r.err, &pe)
	require.Equal(t, img, pe.Image)
	require.Contains(t, r.err.Error(), fmt.Sprintf(`image %q: all pull policies failed (tried "always", "if-not-present")`, img))
	require.Equal(t, 2, r.exec.stats.attempts)
}

// ErrImageNeverPull is a pull failure like any other: the watch delivers
// it within the first status update and the job falls back at once.
func TestNeverThenIfNotPresent(t *testing.T) {
	ns := clustertest.Namespace(t)
	img := clustertest.Push(t, clustertest.UniqueImage(t, "never"))
	clustertest.CacheShared(t, localcluster.HelperImage)

	r := runOnCluster(t, ns, config.KubernetesConfig{
		Image: img, PullPolicy: common.PullPolicies{common.PullPolicyNever, common.PullPolicyIfNotPresent},
	}, &common.Job{ID: 3})
	require.NoError(t, r.err)
	require.Equal(t, 2, r.exec.stats.attempts)
	require.Contains(t, r.log, fmt.Sprintf(`Failed to pull image %q for container "build" with pull policy "never": ErrImageNeverPull: `, img))
	require.Contains(t, r.log, "\nDone\n")
	d := r.exec.stats.detections
	require.Len(t, d, 1)
	t.Logf("ErrImageNeverPull detected %s after the pod was created (from the watch; poll_timeout is 120s)", d[0])
	require.Less(t, d[0], 60*time.Second, "detection must come from the watch, long before poll_timeout")
}

// A service whose image the registry lacks: only the service's policy
// advances; the build image keeps "always".
func TestServiceFallsBackAlone(t *testing.T) {
	ns := clustertest.Namespace(t)
	build := cachedImage(t, "svc-build")
	svc := cachedImage(t, "svc-db")
	clustertest.Delete(t, svc)

	job := &common.Job{ID: 4, Services: []common.Image{{Name: svc, Alias: "db", Command: []string{"sleep", "3600"}}}}
	r := runOnCluster(t, ns, config.KubernetesConfig{Image: build, PullPolicy: alwaysThenCached}, job)
	require.NoError(t, r.err)
	require.Equal(t, 2, r.exec.stats.attempts)
	require.Contains(t, r.log, fmt.Sprintf(`Failed to pull image %q for container "svc-0" with pull policy "always"`, svc))
	require.NotContains(t, r.log, `for container "build"`)
	require.Contains(t, r.log, "build=Always helper=Always svc-0=IfNotPresent")
}

// Two images of one pod fail in the same attempt: one extra pod, not two.
func TestTwoImagesFailTogether(t *testing.T) {
	ns := clustertest.Namespace(t)
	build := cachedImage(t, "both-build")
	svc := cachedImage(t, "both-svc")
	clustertest.Delete(t, build)
	clustertest.Delete(t, svc)

	job := &common.Job{ID: 5, Services: []common.Image{{Name: svc, Command: []string{"sleep", "3600"}}}}
	r := runOnCluster(t, ns, config.KubernetesConfig{Image: build, PullPolicy: alwaysThenCached}, job)
	require.NoError(t, r.err)
	require.Equal(t, 2, r.exec.stats.attempts, "both failures must advance in the same attempt")
	require.Contains(t, r.log, "build=IfNotPresent helper=Always svc-0=IfNotPresent")
}

// An invalid image name is a configuration error: no policy can fix it.
func TestInvalidImageName(t *testing.T) {
	ns := clustertest.Namespace(t)
	clustertest.CacheShared(t, localcluster.HelperImage)
	r := runOnCluster(t, ns, config.KubernetesConfig{Image: "127.0.0.1:5000/Not_A_Valid:Name:x", PullPolicy: alwaysThenCached}, &common.Job{ID: 6})
	requireBuildError(t, r.err, common.ConfigurationFailure)
	var ce *ContainerConfigError
	require.ErrorAs(t, r.err, &ce)
	require.Equal(t, "InvalidImageName", ce.Reason)
	require.Equal(t, 1, r.exec.stats.attempts)
}

// A failing script is the job's failure, not a pull problem: no retry, and
// after_script still runs.
func TestScriptExitCode(t *testing.T) {
	ns := clustertest.Namespace(t)
	img := cachedImage(t, "exit3")
	job := &common.Job{ID: 7, Steps: []common.Step{
		{Name: common.StepScript, Script: []string{"echo before", "exit 3", "echo never"}, When: common.WhenOnSuccess},
		{Name: common.StepAfterScript, Script: []string{"echo cleaning up"}, When: common.WhenAlways},
	}}
	r := runOnCluster(t, ns, config.KubernetesConfig{Image: img, PullPolicy: alwaysThenCached}, job)
	be := requireBuildError(t, r.err, common.ScriptFailure)
	require.Equal(t, 3, be.ExitCode)
	require.Equal(t, 1, r.exec.stats.attempts)
	require.Contains(t, r.log, "\nbefore\n")
	require.NotContains(t, r.log, "\nnever\n")
	require.Contains(t, r.log, "\ncleaning up\n")
	require.True(t, strings.Index(r.log, "cleaning up") > strings.Index(r.log, "before"))
}

// A pod deleted under a running job is a system failure, reported as such,
// not a script that exited 137.
func TestPodDeletedWhileRunning(t *testing.T) {
	ns := clustertest.Namespace(t)
	img := cachedImage(t, "deleted")
	cs, _ := clustertest.Client(t)
	job := &common.Job{ID: 8, Steps: []common.Step{{Name: common.StepScript, Script: []string{"echo started", "sleep 120"}, When: common.WhenOnSuccess}}}

	// Delete the job's pod as soon as it runs, found by the job-id label.
	deleted := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		w, err := cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{LabelSelector: podspec.JobIDLabel + "=8"})
		if err != nil {
			deleted <- err
			return
		}
		defer w.Stop()
		for ev := range w.ResultChan() {
			if p, ok := ev.Object.(*corev1.Pod); ok && p.Status.Phase == corev1.PodRunning {
				deleted <- cs.CoreV1().Pods(ns).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To(int64(0))})
				return
			}
		}
		deleted <- ctx.Err()
	}()

	r := runOnCluster(t, ns, config.KubernetesConfig{Image: img, PullPolicy: alwaysThenCached}, job)
	require.NoError(t, <-deleted)
	requireBuildError(t, r.err, common.RunnerSystemFailure)
	var ended *PodEndedError
	require.ErrorAs(t, r.err, &ended)
	require.Equal(t, "Deleted", ended.Reason)
}

// A pod that never starts ends the job after poll_timeout, naming its last
// phase and reason; here no node matches the node selector.
func TestPollTimeout(t *testing.T) {
	ns := clustertest.Namespace(t)
	img := cachedImage(t, "timeout")
	r := runOnCluster(t, ns, config.KubernetesConfig{
		Image: img, PullPolicy: alwaysThenCached, PollTimeout: 3,
		NodeSelector: map[string]string{"example.com/no-such-node": "true"},
	}, &common.Job{ID: 10})
	requireBuildError(t, r.err, common.RunnerSystemFailure)
	var te *PodStartTimeoutError
	require.ErrorAs(t, r.err, &te)
	require.Equal(t, "Pending", te.Phase)
	require.Contains(t, te.Reason, "Unschedulable")
	require.Equal(t, 1, r.exec.stats.attempts)
}

//go:build integration && faults

package runner

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
	"kuberunner/test/netfault"
)

// Fault tests stop parts of the cluster under a running job: `make test`
// runs them one at a time, after every other test (build tag faults).

var allReasons = common.JobFeatures{FailureReasons: []string{"script_failure", "runner_system_failure", "image_pull_failure", "job_execution_timeout"}}

// stallingFront serves the local registry through a front whose manifest
// requests wait until release: a pull in progress for as long as the test
// wants. stalled is closed at the first such request.
func stallingFront(t *testing.T) (front *clustertest.Front, stalled <-chan struct{}, release func()) {
	gate, seen := make(chan struct{}), make(chan struct{})
	var once, seenOnce sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	front = clustertest.StartFront(t, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if strings.Contains(r.URL.Path, "/manifests/") {
			seenOnce.Do(func() { close(seen) })
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		next.ServeHTTP(w, r)
	})
	t.Cleanup(release)
	return front, seen, release
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(2 * time.Minute):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// The API server restarts while the job waits for its pod: the shared
// informer's watch resumes, the pod's start is seen, and the job succeeds
// with its one attempt.
func TestFaultAPIServerRestartWhileWaiting(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "fault-wait"))
	clustertest.CacheShared(t, localcluster.HelperImage)
	front, stalled, release := stallingFront(t)
	r := startRun(t, config.KubernetesConfig{Image: front.Image(img), PullPolicy: common.PullPolicies{common.PullPolicyAlways}}, 1, "tok")
	id := r.srv.Enqueue(common.Job{Features: allReasons, Steps: script("echo survived-the-restart")})
	waitClosed(t, stalled, "the kubelet to start pulling")

	restart := time.Now()
	clustertest.RestartAPIServer(t)
	t.Logf("API server back after %s", time.Since(restart).Round(time.Millisecond))
	released := time.Now()
	release()

	rec := r.finished(id)
	t.Logf("job reported %s after the pull was released", time.Since(released).Round(time.Millisecond))
	assert.Equal(t, "success", rec.State)
	assert.Contains(t, string(rec.Trace), "survived-the-restart")
	assert.NotContains(t, string(rec.Trace), "Attempt 2")
	assertClean(t, r, rec)
}

// The API server restarts while the script runs: the exec stream is gone
// with it, and the job is a system failure that says so, not an exit code.
// Its pod and secret are still deleted once the API server is back.
func TestFaultAPIServerRestartWhileScriptRuns(t *testing.T) {
	img := cached(t, "fault-exec")
	r := startRun(t, config.KubernetesConfig{Image: img, PullPolicy: common.PullPolicies{common.PullPolicyIfNotPresent}}, 1, "tok")
	id := r.srv.Enqueue(common.Job{Features: allReasons, Steps: script("echo script-started", "sleep 30", "echo not-reached")})
	waitForTrace(t, r, id, "script-started")

	clustertest.RestartAPIServer(t)

	rec := r.finished(id)
	assert.Equal(t, "failed", rec.State)
	assert.Equal(t, "runner_system_failure", rec.FailureReason)
	assert.Equal(t, 0, rec.ExitCode)
	assert.Contains(t, string(rec.Trace), "lost the connection to the Kubernetes API server while the command ran")
	assert.NotContains(t, string(rec.Trace), "not-reached")
	assert.NotContains(t, string(rec.Trace), "exited with code")
	assertClean(t, r, rec)
}

// The kubelet stops while the job waits for its pod: the pod never
// starts, and the job fails at poll_timeout naming the node's condition.
func TestFaultKubeletStopped(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "fault-kubelet"))
	clustertest.CacheShared(t, localcluster.HelperImage)
	front, stalled, release := stallingFront(t)
	const pollTimeout = 60
	r := startRun(t, config.KubernetesConfig{Image: front.Image(img), PullPolicy: common.PullPolicies{common.PullPolicyAlways}, PollTimeout: pollTimeout}, 1, "tok")
	id := r.srv.Enqueue(common.Job{Features: allReasons, Steps: script("echo not-reached")})
	waitClosed(t, stalled, "the kubelet to start pulling")

	clustertest.StopComponent(t, "kubelet")
	stopped := time.Now()
	release()

	rec := r.finished(id)
	t.Logf("job reported %s after the kubelet stopped (poll_timeout %ds)", time.Since(stopped).Round(time.Second), pollTimeout)
	assert.Equal(t, "failed", rec.State)
	assert.Equal(t, "runner_system_failure", rec.FailureReason)
	assert.Contains(t, string(rec.Trace), "did not start within poll_timeout")
	assert.Contains(t, string(rec.Trace), "node "+localcluster.NodeName+": Ready=")
	assert.Contains(t, string(rec.Trace), "last heartbeat")
	assertClean(t, r, rec)
}

// The registry dies while the node pulls a large image: the cut transfer
// is classified transient and retried, the dead registry then refuses the
// retry (unreachable), the fallback runs the older image the node holds
// under the same name, and the job succeeds.
func TestFaultRegistryKilledMidPull(t *testing.T) {
	name := clustertest.UniqueImage(t, "fault-large")
	clustertest.Push(t, name)
	clustertest.CacheShared(t, localcluster.HelperImage)
	const size, cutAt = 40 << 20, 8 << 20
	var armed, killed atomic.Bool
	var sent atomic.Int64
	var front *clustertest.Front
	front = clustertest.StartFront(t, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if armed.Load() && strings.Contains(r.URL.Path, "/blobs/") {
			w = &killingWriter{ResponseWriter: w, sent: &sent, cutAt: cutAt, kill: func() {
				if !killed.Swap(true) {
					front.Kill()
				}
			}}
		}
		next.ServeHTTP(w, r)
	})
	image := front.Image(name)
	clustertest.Cache(t, image) // the small image, as an older version the node holds
	clustertest.PushLarge(t, name, size)
	armed.Store(true)

	r := startRun(t, config.KubernetesConfig{Image: image, PullPolicy: common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent}}, 1, "tok")
	id := r.srv.Enqueue(common.Job{Features: allReasons, Steps: script(
		fmt.Sprintf("if test -e %s; then echo ran-the-large-image; else echo ran-the-cached-image; fi", localcluster.LargeImageMarker))})
	rec := r.finished(id)

	require.True(t, killed.Load(), "the front was never cut mid-pull (sent %d bytes)", sent.Load())
	t.Logf("registry killed after %d of %d bytes of the large layer", sent.Load(), size)
	assert.Equal(t, "success", rec.State)
	trace := string(rec.Trace)
	assert.Contains(t, trace, "Failed to pull image")
	// A cut transfer may be a registry restarting: the same policy is
	// tried once more, and only the dead registry's refusal falls back.
	assert.Contains(t, trace, "is transient: ")
	assert.Contains(t, trace, `retry 1 of 2 with pull policy "always"`)
	assert.Contains(t, trace, "is unreachable: the registry could not be reached: falling back")
	assert.Contains(t, trace, "Falling back for image")
	assert.Contains(t, trace, "ran-the-cached-image")
	assertClean(t, r, rec)
}

// killingWriter passes a blob through until cutAt bytes have gone out in
// all, then kills the front: the registry process dying mid-transfer.
type killingWriter struct {
	http.ResponseWriter
	sent  *atomic.Int64
	cutAt int64
	kill  func()
}

func (k *killingWriter) Write(p []byte) (int, error) {
	if k.sent.Add(int64(len(p))) > k.cutAt {
		k.kill()
		return 0, http.ErrAbortHandler
	}
	return k.ResponseWriter.Write(p)
}

// GitLab is unreachable for 60 s in the middle of a job, which ends
// during the outage: the job goes on, every line of its log reaches GitLab
// once it is back, and the final state is reported exactly once.
func TestFaultCoordinatorUnreachable(t *testing.T) {
	img := cached(t, "fault-gitlab")
	srv := coordinator.New(t, "tok")
	proxy := netfault.New(t, strings.TrimPrefix(srv.URL, "http://"))
	r := startRunVia(t, srv, "http://"+proxy.Addr, config.KubernetesConfig{Image: img, PullPolicy: common.PullPolicies{common.PullPolicyIfNotPresent}}, 1, "tok")
	const lines = 30
	id := srv.Enqueue(common.Job{Features: allReasons, Steps: script(fmt.Sprintf("for i in $(seq 1 %d); do echo line-$i; sleep 1; done", lines))})
	waitForTrace(t, r, id, "line-2")

	proxy.Down()
	const outage = 60 * time.Second
	time.Sleep(outage) // the outage itself: nothing to wait for but time
	during, _ := srv.Job(id)
	require.NoError(t, proxy.Up())

	assert.Equal(t, 0, during.Completed, "nothing reached GitLab during the outage")
	rec := r.finished(id)
	assert.Equal(t, "success", rec.State)
	assert.Equal(t, 1, rec.Completed, "reported exactly once")
	assert.Equal(t, 1, rec.FinalUpdates, "one final update reached GitLab")
	trace := string(rec.Trace)
	last := -1
	for i := 1; i <= lines; i++ {
		line := fmt.Sprintf("line-%d\n", i)
		assert.Equal(t, 1, strings.Count(trace, line), "%q exactly once", line)
		at := strings.Index(trace, line)
		assert.Greater(t, at, last, "%q in order", line)
		last = at
	}
	assertClean(t, r, rec)
}

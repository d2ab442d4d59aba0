//go:build integration

package commands

import (
	"fmt"
	"net/http"
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

const breakerLine = "is unreachable since"

// runOne enqueues a job and waits for its final state; it returns the
// job's trace.
func runOne(t *testing.T, srv *coordinator.Server, job common.Job) (state, trace string) {
	t.Helper()
	id := srv.Enqueue(job)
	require.Eventually(t, func() bool { rec, _ := srv.Job(id); return rec.Completed == 1 }, 3*time.Minute, 50*time.Millisecond)
	rec, _ := srv.Job(id)
	return rec.State, string(rec.Trace)
}

// podsOf counts the pods a job's trace says it created.
func podsOf(trace string) int { return strings.Count(trace, ": created pod ") }

func markerJob() common.Job {
	return daemonJob("cat " + localcluster.LargeImageMarker + " 2>/dev/null || echo old-image")
}

// breakerOpen reads the daemon's breaker gauge for registry: -1 when it
// has no series (the breaker never opened).
func breakerOpen(t *testing.T, d *benchDaemon, registry string) float64 {
	m, err := d.scrape()
	require.NoError(t, err)
	v, ok := m[fmt.Sprintf("kuberunner_registry_breaker_open{registry=%q}", registry)]
	if !ok {
		return -1
	}
	return v
}

// Must show 1 and 2: during an outage only the first job pays for the
// failed always; once the registry answers again the breaker closes
// within one probe interval and the next job pulls the registry's newer
// image rather than the node's copy.
func TestRunBreakerOutageAndRecovery(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "breaker"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	srv := coordinator.New(t, "tok")
	d := startBenchDaemon(t, srv, clustertest.Namespace(t), img, `["always", "if-not-present"]`, 1)
	clustertest.StopRegistry(t)
	for i := 1; i <= 10; i++ {
		state, trace := runOne(t, srv, markerJob())
		require.Equal(t, "success", state, "job %d:\n%s", i, trace)
		if i == 1 {
			assert.Equal(t, 2, podsOf(trace), "job 1 pays for the outage:\n%s", trace)
			assert.NotContains(t, trace, breakerLine)
			continue
		}
		assert.Equal(t, 1, podsOf(trace), "job %d:\n%s", i, trace)
		assert.Contains(t, trace, "Registry "+localcluster.RegistryHost+" "+breakerLine, "job %d names the breaker", i)
		assert.Contains(t, trace, "attempt 1 uses if-not-present")
	}
	require.Equal(t, 1.0, breakerOpen(t, d, localcluster.RegistryHost))

	clustertest.StartRegistry(t)
	clustertest.PushLarge(t, img, 4096) // a newer image under the same tag
	began := time.Now()
	require.Eventually(t, func() bool { return breakerOpen(t, d, localcluster.RegistryHost) == 0 }, 70*time.Second, 100*time.Millisecond,
		"the breaker closes within one probe interval (at most 60 s)")
	t.Logf("the breaker closed %s after the registry came back", time.Since(began).Round(time.Millisecond))
	state, trace := runOne(t, srv, markerJob())
	require.Equal(t, "success", state, trace)
	assert.Contains(t, trace, "large", "the job ran the registry's new image, not the node's copy")
	assert.NotContains(t, trace, breakerLine)
}

// Must show 3: answers from the registry — 401, 429, manifest unknown —
// never open the breaker, however the job ends.
func TestRunBreakerIgnoresAnswers(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "breaker-answers"))
	clustertest.CacheShared(t, localcluster.HelperImage)
	for _, tc := range []struct {
		name   string
		status int
		image  func(f *clustertest.Front) string
	}{
		{"401", http.StatusUnauthorized, func(f *clustertest.Front) string { return f.Image(img) }},
		{"429", http.StatusTooManyRequests, func(f *clustertest.Front) string { return f.Image(img) }},
		{"manifest unknown", 0, func(f *clustertest.Front) string { return f.Image(img + "-missing") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := clustertest.StartFront(t, func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				if tc.status != 0 && strings.Contains(r.URL.Path, "/manifests/") {
					w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
					w.WriteHeader(tc.status)
					return
				}
				next.ServeHTTP(w, r)
			})
			image := tc.image(f)
			srv := coordinator.New(t, "tok")
			d := startBenchDaemon(t, srv, clustertest.Namespace(t), image, `["always", "if-not-present"]`, 1, "    poll_timeout = 60")
			_, trace := runOne(t, srv, daemonJob("echo hi"))
			assert.NotContains(t, trace, breakerLine)
			_, trace = runOne(t, srv, daemonJob("echo hi"))
			assert.NotContains(t, trace, breakerLine, "a second job still tries always")
			assert.Equal(t, -1.0, breakerOpen(t, d, f.Host), "the breaker of %s never opened", f.Host)
		})
	}
}

// Must show 4: an outage of one registry does not touch jobs that pull
// from another.
func TestRunBreakerIsPerRegistry(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "breaker-two"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	down := clustertest.StartFront(t, nil)
	downImage := down.Image(img)
	clustertest.Cache(t, downImage)
	down.Kill()
	srv := coordinator.New(t, "tok")
	startBenchDaemon(t, srv, clustertest.Namespace(t), img, `["always", "if-not-present"]`, 1)
	job := daemonJob("echo hi")
	job.Image = common.Image{Name: downImage}
	state, trace := runOne(t, srv, job)
	require.Equal(t, "success", state, trace)
	require.Equal(t, 2, podsOf(trace), trace)
	state, trace = runOne(t, srv, job)
	require.Equal(t, "success", state, trace)
	assert.Contains(t, trace, "Registry "+down.Host+" "+breakerLine)

	state, trace = runOne(t, srv, daemonJob("echo hi")) // the runner's image, from the local registry
	require.Equal(t, "success", state, trace)
	assert.NotContains(t, trace, breakerLine)
	assert.Equal(t, 1, podsOf(trace))
	assert.Contains(t, trace, "build=Always", "the other registry's image is still pulled with always")
}

// Must show 5: pull_policy_breaker = "off" is the behaviour without a
// breaker: every job during the outage pays for its failed always.
func TestRunBreakerOff(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "breaker-off"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	srv := coordinator.New(t, "tok")
	d := startBenchDaemon(t, srv, clustertest.Namespace(t), img, `["always", "if-not-present"]`, 1, `    pull_policy_breaker = "off"`)
	clustertest.StopRegistry(t)
	for i := 1; i <= 3; i++ {
		state, trace := runOne(t, srv, daemonJob("echo hi"))
		require.Equal(t, "success", state, trace)
		assert.Equal(t, 2, podsOf(trace), "job %d:\n%s", i, trace)
		assert.NotContains(t, trace, breakerLine)
	}
	assert.Equal(t, 1.0, breakerOpen(t, d, localcluster.RegistryHost), "the breaker still tracks the registry; jobs only do not trust it")
}

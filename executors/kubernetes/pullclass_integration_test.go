//go:build integration

package kubernetes

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/executors/kubernetes/internal/pull"
	"kuberunner/test/clustertest"
	"kuberunner/test/localcluster"
)

// tagFront is a registry front for one repository whose tag "v1" the test
// points at another tag of the same repository, as a registry does when a
// newer image is pushed under the same name, and which can refuse the
// tag's manifest requests with a status of the test's choosing.
type tagFront struct {
	*clustertest.Front
	repo string // "<name>" of 127.0.0.1:5000/<name>

	mu     sync.Mutex
	target string      // the tag "v1" stands for
	refuse func() bool // whether to refuse this manifest request
	status int
	// refused counts the refused requests; pulls the pulls of v1, told
	// apart by time (see pullGap); requests is "time METHOD path -> status"
	// of each request, for the test log.
	refused  int
	pulls    int
	lastAt   time.Time
	requests []string
}

// pullGap tells one pull's manifest requests from the next pull's:
// containerd repeats a request answered 429 at once (about 12 requests
// within 5 ms here), while kuberunner's next pod pulls a second or more
// later (backoff, delete, create, kubelet sync).
const pullGap = 300 * time.Millisecond

func startTagFront(t *testing.T, repo, target string) *tagFront {
	f := &tagFront{repo: repo, target: target}
	f.Front = clustertest.StartFront(t, f.serve)
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		t.Logf("registry front %s saw:\n  %s", f.Host, strings.Join(f.requests, "\n  "))
	})
	return f
}

// set points v1 at target and answers status to v1's manifest requests
// while refuse says so.
func (f *tagFront) set(target string, status int, refuse func() bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.target, f.status, f.refuse, f.refused, f.pulls = target, status, refuse, 0, 0
}

// firstN refuses the first n requests.
func (f *tagFront) firstN(n int) func() bool {
	return func() bool { return f.refused < n } // called with f.mu held
}

// firstPulls refuses every request of the first n pulls.
func (f *tagFront) firstPulls(n int) func() bool {
	return func() bool { return f.pulls <= n } // called with f.mu held
}

func (f *tagFront) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	f.mu.Lock()
	status := 0
	if r.URL.Path == "/v2/"+f.repo+"/manifests/v1" {
		now := time.Now()
		if now.Sub(f.lastAt) > pullGap {
			f.pulls++
		}
		f.lastAt = now
		if f.refuse != nil && f.refuse() {
			f.refused++
			status = f.status
		}
		r.URL.Path = "/v2/" + f.repo + "/manifests/" + f.target
	}
	f.requests = append(f.requests, fmt.Sprintf("%s %s %s -> %d", time.Now().Format("15:04:05.000"), r.Method, r.URL.Path, status))
	f.mu.Unlock()
	if status != 0 {
		http.Error(w, http.StatusText(status), status)
		return
	}
	next.ServeHTTP(w, r)
}

// pushTag pushes 127.0.0.1:5000/<repo>:<tag> and returns its digest.
func pushTag(t *testing.T, repo, tag string) string {
	t.Helper()
	clustertest.NeedRegistry(t)
	d, err := clustertest.Cluster(t).PushImage(context.Background(), repo+":"+tag)
	require.NoError(t, err)
	return d
}

// uniqueRepo is a fresh repository name of the local registry.
func uniqueRepo(t *testing.T, base string) string {
	ref := strings.TrimPrefix(clustertest.UniqueImage(t, base), localcluster.RegistryHost+"/")
	repo, _, _ := strings.Cut(ref, ":")
	return repo
}

// showImage prints which image the job runs in: every image we build names
// itself in /etc/kuberunner-image.
var showImage = &common.Job{Steps: []common.Step{{Name: common.StepScript, Script: []string{"cat /etc/kuberunner-image"}, When: common.WhenOnSuccess}}}

// setupStale makes the node hold an older image under the job's image name
// (through a front) while the registry now serves a newer one under it.
func setupStale(t *testing.T, base string) (f *tagFront, img, repo, newDigest string) {
	repo = uniqueRepo(t, base)
	pushTag(t, repo, "old")
	newDigest = pushTag(t, repo, "new")
	clustertest.CacheShared(t, localcluster.HelperImage)
	f = startTagFront(t, repo, "old")
	img = f.Host + "/" + repo + ":v1"
	clustertest.Cache(t, img) // the node's copy is "old"
	return f, img, repo, newDigest
}

// showImageID is showImage for a test that also reads the image ID the
// kubelet reports: the job waits for the pod status, which a job that
// starts on the kubelet's events may otherwise outrun.
var showImageID = &common.Job{Steps: []common.Step{{Name: common.StepScript, Script: []string{"cat /etc/kuberunner-image", "sleep 3"}, When: common.WhenOnSuccess}}}

// buildImageID is the image ID of the build container of the last pod
// recorded.
func buildImageID(pods *clustertest.PodRecorder) string {
	all := pods.All()
	if len(all) == 0 {
		return ""
	}
	for _, cs := range all[len(all)-1].Status.ContainerStatuses {
		if cs.Name == podspec.BuildContainer {
			return cs.ImageID
		}
	}
	return ""
}

// The scenario: the registry answers 429 to the image's manifest
// twice, then serves a newer image than the one the node holds under the
// same name. The job succeeds with "always", without a fallback, and runs
// the newer image. On this cluster containerd (1.6) itself repeats a
// request answered 429, up to 6 times within one pull (the front's log
// shows it), so the kubelet never reports these two; the next test makes
// whole pulls fail to exercise kuberunner's own retry.
func TestTransient429TwiceRunsTheCurrentImage(t *testing.T) {
	ns := clustertest.Namespace(t)
	f, img, repo, newDigest := setupStale(t, "throttled-twice")
	f.set("new", http.StatusTooManyRequests, f.firstN(2))

	job := *showImageID
	job.ID = 21
	pods := clustertest.RecordPods(t, ns)
	r := runOnCluster(t, ns, config.KubernetesConfig{Image: img, PullPolicy: alwaysThenCached}, &job)
	require.NoError(t, r.err)
	f.mu.Lock()
	require.Equal(t, 2, f.refused, "the front answered 429 twice")
	f.mu.Unlock()
	require.NotContains(t, r.log, "Falling back")
	require.NotContains(t, r.log, "IfNotPresent")
	require.Contains(t, r.log, "\n"+localcluster.RegistryHost+"/"+repo+":new\n", "the registry's current image ran")
	require.NotContains(t, r.log, repo+":old", "the node's older copy did not run")
	require.True(t, strings.HasSuffix(buildImageID(pods), newDigest), "build ran %s, want digest %s", buildImageID(pods), newDigest)
}

// Every pull of the job's first two pods is answered 429 (each manifest
// request, however often containerd repeats it), then the registry serves.
// kuberunner classifies the kubelet's message as transient, retries
// "always" twice in new pods, and the third pulls the newer image: no
// fallback to the node's older copy under the same name.
func TestTransientPullRetriesTheSamePolicy(t *testing.T) {
	ns := clustertest.Namespace(t)
	f, img, repo, newDigest := setupStale(t, "throttled")
	f.set("new", http.StatusTooManyRequests, f.firstPulls(2))

	job := *showImageID
	job.ID = 22
	pods := clustertest.RecordPods(t, ns)
	r := runOnCluster(t, ns, config.KubernetesConfig{Image: img, PullPolicy: alwaysThenCached}, &job)
	require.NoError(t, r.err)
	require.Equal(t, 3, r.exec.stats.attempts, "two retries of \"always\", then the pull succeeds")
	f.mu.Lock()
	require.Equal(t, 3, f.pulls, "two refused pulls, one served")
	f.mu.Unlock()
	require.Contains(t, r.log, fmt.Sprintf(`Pull failure of image %q is transient`, img))
	require.Contains(t, r.log, `retry 1 of 2 with pull policy "always" (attempt 2)`)
	require.Contains(t, r.log, `retry 2 of 2 with pull policy "always" (attempt 3)`)
	require.Contains(t, r.log, `429 Too Many Requests`)
	require.NotContains(t, r.log, "Falling back")
	require.NotContains(t, r.log, "IfNotPresent")
	require.Contains(t, r.log, "\n"+localcluster.RegistryHost+"/"+repo+":new\n", "the registry's current image ran")
	require.NotContains(t, r.log, repo+":old", "the node's older copy did not run")
	require.True(t, strings.HasSuffix(buildImageID(pods), newDigest), "build ran %s, want digest %s", buildImageID(pods), newDigest)
}

// A registry that keeps answering 429: once the budget is spent the image
// falls back as before, and the node's copy runs.
func TestTransientPastTheBudgetFallsBack(t *testing.T) {
	ns := clustertest.Namespace(t)
	f, img, repo, _ := setupStale(t, "throttled-long")
	f.set("new", http.StatusTooManyRequests, func() bool { return true })

	job := *showImage
	job.ID = 23
	budget := 1
	r := runOnCluster(t, ns, config.KubernetesConfig{Image: img, PullPolicy: alwaysThenCached, PullRetryBudget: &budget}, &job)
	require.NoError(t, r.err)
	require.Equal(t, 3, r.exec.stats.attempts, "one retry, then if-not-present")
	require.Contains(t, r.log, `its 1 retries with pull policy "always" are spent; falling back`)
	require.Contains(t, r.log, "build=IfNotPresent")
	require.Contains(t, r.log, "\n"+localcluster.RegistryHost+"/"+repo+":old\n", "the fallback ran the node's copy")
}

// The node holds the image (pulled through the registry with the job's
// credentials once); now the registry answers 401 for it. The job fails
// with the denied message and does not run the cached copy.
func TestDeniedPullDoesNotRunTheCachedImage(t *testing.T) {
	ns := clustertest.Namespace(t)
	repo := uniqueRepo(t, "denied")
	pushTag(t, repo, "v1")
	clustertest.CacheShared(t, localcluster.HelperImage)

	f := startTagFront(t, repo, "v1")
	img := f.Host + "/" + repo + ":v1"
	clustertest.Cache(t, img)
	f.set("v1", http.StatusUnauthorized, func() bool { return true })

	job := *showImage
	job.ID = 24
	r := runOnCluster(t, ns, config.KubernetesConfig{Image: img, PullPolicy: alwaysThenCached}, &job)
	requireBuildError(t, r.err, common.ImagePullFailure)
	require.ErrorIs(t, r.err, pull.ErrPullDenied)
	var de *pull.DeniedError
	require.ErrorAs(t, r.err, &de)
	require.Equal(t, img, de.Image)
	require.Contains(t, r.err.Error(), "the registry denied the pull")
	require.Contains(t, r.err.Error(), "pull_policy_fallback_on_denied = true")
	require.Equal(t, 1, r.exec.stats.attempts)
	require.Contains(t, r.log, fmt.Sprintf(`Pull failure of image %q is denied`, img))
	require.NotContains(t, r.log, "IfNotPresent")
	require.NotContains(t, r.log, localcluster.RegistryHost+"/"+repo+":v1\n", "the cached copy did not run")
}

// With pull_policy_fallback_on_denied the operator accepts the risk: the
// same denied pull falls back and the node's copy runs.
func TestDeniedPullFallsBackWhenAllowed(t *testing.T) {
	ns := clustertest.Namespace(t)
	repo := uniqueRepo(t, "denied-allowed")
	pushTag(t, repo, "v1")
	clustertest.CacheShared(t, localcluster.HelperImage)

	f := startTagFront(t, repo, "v1")
	img := f.Host + "/" + repo + ":v1"
	clustertest.Cache(t, img)
	f.set("v1", http.StatusForbidden, func() bool { return true })

	job := *showImage
	job.ID = 25
	r := runOnCluster(t, ns, config.KubernetesConfig{Image: img, PullPolicy: alwaysThenCached, PullPolicyFallbackOnDenied: true}, &job)
	require.NoError(t, r.err)
	require.Equal(t, 2, r.exec.stats.attempts)
	require.Contains(t, r.log, "403 Forbidden")
	require.Contains(t, r.log, "falling back, as pull_policy_fallback_on_denied allows")
	require.Contains(t, r.log, "build=IfNotPresent")
	require.Contains(t, r.log, "\n"+localcluster.RegistryHost+"/"+repo+":v1\n", "the node's copy ran")
}

//go:build integration

package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
	"kuberunner/common/config"
	_ "kuberunner/executors/kubernetes" // registers the executor, as the binary does
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/gitserver"
	"kuberunner/test/localcluster"
)

// clusterRun is a daemon on the local cluster, fed by a test coordinator.
type clusterRun struct {
	t        *testing.T
	srv      *coordinator.Server
	ns       string
	cancel   context.CancelFunc
	graceful chan struct{}
	done     chan error
}

// startRun starts `run`'s daemon in this process (the same code path as the
// binary) with one kubernetes runner per token in a fresh namespace.
func startRun(t *testing.T, k config.KubernetesConfig, concurrent int, tokens ...string) *clusterRun {
	t.Helper()
	return startRunVia(t, coordinator.New(t, tokens...), "", k, concurrent, tokens...)
}

// startRunVia is startRun with a coordinator of the test's own, reached at
// url (a proxy, say); "" is the coordinator's own URL.
func startRunVia(t *testing.T, srv *coordinator.Server, url string, k config.KubernetesConfig, concurrent int, tokens ...string) *clusterRun {
	t.Helper()
	c := clustertest.Cluster(t)
	t.Setenv("KUBECONFIG", filepath.Join(c.Dir, "kubeconfig"))
	ns := clustertest.Namespace(t)
	if url == "" {
		url = srv.URL
	}
	srv.SetTraceInterval(1)
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	k.Namespace = ns
	if k.HelperImage == "" {
		k.HelperImage = localcluster.HelperImage
	}
	if k.PollTimeout == 0 {
		k.PollTimeout = 120
	}
	cfg := &config.Config{Concurrent: concurrent, CheckInterval: 1, LogLevel: "info", LogFormat: "text"}
	for _, tok := range tokens {
		kc := k
		cfg.Runners = append(cfg.Runners, &config.RunnerConfig{Name: "it-" + tok, URL: url, Token: tok, Executor: "kubernetes",
			RequestConcurrency: 1, OutputLimit: 4096, Kubernetes: &kc})
	}
	d, err := New(cfg, Options{ConfigPath: path, Log: logrus.New(), HTTPClient: srv.Client(), Version: "it"})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &clusterRun{t: t, srv: srv, ns: ns, cancel: cancel, graceful: make(chan struct{}), done: make(chan error, 1)}
	go func() { r.done <- d.Run(ctx, r.graceful) }()
	t.Cleanup(r.stop)
	return r
}

func (r *clusterRun) stop() {
	select {
	case <-r.graceful:
	default:
		close(r.graceful)
	}
	select {
	case err := <-r.done:
		require.NoError(r.t, err)
		r.done <- nil
	case <-time.After(3 * time.Minute):
		r.cancel()
		r.t.Error("the daemon did not stop")
	}
}

// finished waits until job id is reported and returns its record.
func (r *clusterRun) finished(id int64) coordinator.JobRecord {
	r.t.Helper()
	var rec coordinator.JobRecord
	require.Eventually(r.t, func() bool { rec, _ = r.srv.Job(id); return rec.Completed >= 1 }, 4*time.Minute, 50*time.Millisecond)
	r.t.Logf("trace of job %d:\n%s", id, rec.Trace)
	return rec
}

// requireNothingLeft checks that no pod or secret of any job is left.
func (r *clusterRun) requireNothingLeft() {
	r.t.Helper()
	cs, _ := clustertest.Client(r.t)
	sel := metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kuberunner"}
	ctx := context.Background()
	require.Eventually(r.t, func() bool {
		pods, err := cs.CoreV1().Pods(r.ns).List(ctx, sel)
		require.NoError(r.t, err)
		secrets, err := cs.CoreV1().Secrets(r.ns).List(ctx, sel)
		require.NoError(r.t, err)
		return len(pods.Items) == 0 && len(secrets.Items) == 0
	}, 30*time.Second, 100*time.Millisecond, "no pod or secret of a job may be left")
}

func script(lines ...string) []common.Step {
	return []common.Step{{Name: common.StepScript, Script: lines, When: common.WhenOnSuccess}}
}

func cached(t *testing.T, base string) string {
	img := clustertest.Push(t, clustertest.UniqueImage(t, base))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	return img
}

func assertClean(t *testing.T, r *clusterRun, rec coordinator.JobRecord) {
	assert.Equal(t, 1, rec.Completed, "reported exactly once")
	assert.Equal(t, 0, rec.ChecksumMismatches)
	assert.Empty(t, r.srv.Violations())
	r.requireNothingLeft()
}

// run takes a job from GitLab, clones the repository at the job's sha from
// a real git server, runs a script that reads a file of it, and reports
// success with the whole log.
func TestRunClonesAndRunsAJob(t *testing.T) {
	img := cached(t, "run-clone")
	const token = "job-token-clone-1234"
	git := gitserver.NewOn(t, token, clustertest.PodReachableAddress(t))
	repo := git.NewRepo(t, "group/project")
	old := repo.Commit(t, "main", "first", map[string]string{"hello.txt": "hello from the first commit\n"})
	repo.Commit(t, "main", "second", map[string]string{"hello.txt": "hello from the second commit\n"})
	r := startRun(t, config.KubernetesConfig{Image: img, PullPolicy: common.PullPolicies{common.PullPolicyIfNotPresent}}, 1, "tok")
	id := r.srv.Enqueue(common.Job{
		Token:   token,
		JobInfo: common.JobInfo{Name: "clone", ProjectName: "project"},
		GitInfo: common.GitInfo{RepoURL: repo.URL(), Ref: "main", Sha: old, RefType: "branch"},
		Steps:   script("cat hello.txt", "echo Done"),
	})
	rec := r.finished(id)
	assert.Equal(t, "success", rec.State)
	assert.Contains(t, string(rec.Trace), "hello from the first commit", "the job's sha, not the branch tip")
	assert.Contains(t, string(rec.Trace), "Job succeeded")
	assert.NotContains(t, string(rec.Trace), token)
	assertClean(t, r, rec)
}

// The reference scenario through run: the registry is down, the node holds
// the image, and the log shows the fallback.
func TestRunReferenceScenario(t *testing.T) {
	img := cached(t, "run-seed")
	clustertest.StopRegistry(t)
	r := startRun(t, config.KubernetesConfig{Image: img, PullPolicy: common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent}}, 1, "tok")
	id := r.srv.Enqueue(common.Job{JobInfo: common.JobInfo{Name: "seed"}, Steps: script("echo Done")})
	rec := r.finished(id)
	assert.Equal(t, "success", rec.State)
	assert.Contains(t, string(rec.Trace), "Falling back for image")
	assert.Contains(t, string(rec.Trace), "Done")
	assertClean(t, r, rec)
}

// Policies exhausted: image_pull_failure where the job's GitLab knows it,
// runner_system_failure where it does not.
func TestRunPoliciesExhausted(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "run-gone"))
	clustertest.Uncache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	clustertest.StopRegistry(t)
	r := startRun(t, config.KubernetesConfig{Image: img, PullPolicy: common.PullPolicies{common.PullPolicyAlways, common.PullPolicyIfNotPresent}}, 2, "tok")
	knows := r.srv.Enqueue(common.Job{Steps: script("true"), Features: common.JobFeatures{FailureReasons: []string{"script_failure", "runner_system_failure", "image_pull_failure"}}})
	older := r.srv.Enqueue(common.Job{Steps: script("true"), Features: common.JobFeatures{FailureReasons: []string{"script_failure", "runner_system_failure"}}})
	for id, want := range map[int64]string{knows: "image_pull_failure", older: "runner_system_failure"} {
		rec := r.finished(id)
		assert.Equal(t, "failed", rec.State)
		assert.Equal(t, want, rec.FailureReason)
		assertClean(t, r, rec)
	}
}

// canceling runs after_script and reports failed; canceled stops the job
// at once. Neither leaves a pod or a secret.
func TestRunCanceling(t *testing.T) {
	img := cached(t, "run-cancel")
	r := startRun(t, config.KubernetesConfig{Image: img, PullPolicy: common.PullPolicies{common.PullPolicyIfNotPresent}}, 2, "tok")
	steps := append(script("echo started-script", "sleep 300"),
		common.Step{Name: common.StepAfterScript, Script: []string{"echo after-script-ran"}, When: common.WhenAlways})
	canceling := r.srv.Enqueue(common.Job{Steps: steps})
	canceled := r.srv.Enqueue(common.Job{Steps: steps})
	// Both statuses are sent once the script has printed its first line.
	waitForTrace(t, r, canceling, "started-script")
	r.srv.SetJobStatus(canceling, "canceling", 0)
	waitForTrace(t, r, canceled, "started-script")
	began := time.Now()
	r.srv.SetJobStatus(canceled, "canceled", 0)

	rec := r.finished(canceling)
	assert.Equal(t, "failed", rec.State)
	assert.Contains(t, string(rec.Trace), "after-script-ran")
	rec = r.finished(canceled)
	t.Logf("canceled job reported %s after the status was set", time.Since(began))
	assert.Equal(t, "failed", rec.State)
	assert.NotContains(t, string(rec.Trace), "after-script-ran")
	r.requireNothingLeft()
}

// A masked variable, the job token and a glpat- token never reach any
// trace patch, even when printed in pieces.
func TestRunMasksSecretsInEveryPatch(t *testing.T) {
	img := cached(t, "run-mask")
	r := startRun(t, config.KubernetesConfig{Image: img, PullPolicy: common.PullPolicies{common.PullPolicyIfNotPresent}}, 1, "tok")
	const masked, token, pat = "s3cr3t-Value-42", "job-token-masking-777", "glpat-AbCdEf123456"
	id := r.srv.Enqueue(common.Job{
		Token:     token,
		Variables: common.JobVariables{{Key: "SECRET", Value: masked, Masked: true}},
		Features:  common.JobFeatures{TokenMaskPrefixes: []string{"glpat-"}},
		Steps: script(
			`printf 's3cr3t-'; sleep 1.5; printf 'Value-42\n'`,
			`echo "$SECRET"`,
			`printf 'job-token-'; sleep 1.5; echo 'masking-777'`,
			`printf 'glpat-AbC'; sleep 1.5; echo 'dEf123456'`,
		),
	})
	rec := r.finished(id)
	assert.Equal(t, "success", rec.State)
	for _, secret := range []string{masked, token, pat, "AbCdEf123456"} {
		assert.NotContains(t, string(rec.Trace), secret)
	}
	assert.GreaterOrEqual(t, len(rec.Patches), 2, "the secrets were spread over several patches")
	assertClean(t, r, rec)
}

// Two runners with concurrent = 4 and 12 queued jobs: never more than 4 at
// once, every job reported exactly once.
func TestRunConcurrentAcrossRunners(t *testing.T) {
	img := cached(t, "run-conc")
	r := startRun(t, config.KubernetesConfig{Image: img, PullPolicy: common.PullPolicies{common.PullPolicyIfNotPresent}}, 4, "tok-a", "tok-b")
	var ids []int64
	for i := range 12 {
		ids = append(ids, r.srv.Enqueue(common.Job{JobInfo: common.JobInfo{Name: fmt.Sprintf("j%d", i)}, Steps: script("sleep 1", "echo Done")}))
	}
	for _, id := range ids {
		rec := r.finished(id)
		assert.Equal(t, "success", rec.State)
		assert.Equal(t, 1, rec.FinalUpdates)
	}
	assert.LessOrEqual(t, r.srv.MaxRunning(), 4)
	assert.Empty(t, r.srv.Violations())
	r.requireNothingLeft()
}

func waitForTrace(t *testing.T, r *clusterRun, id int64, text string) {
	t.Helper()
	require.Eventually(t, func() bool {
		rec, _ := r.srv.Job(id)
		return strings.Contains(string(rec.Trace), text)
	}, 3*time.Minute, 50*time.Millisecond, "job %d never printed %q", id, text)
}

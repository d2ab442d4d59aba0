//go:build integration

package commands

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/gitserver"
	"kuberunner/test/localcluster"
)

// sourcesRun is `kuberunner run` against a test coordinator, with a git
// server (LFS included) that the job pods reach on the cluster's bridge,
// as runner/run_integration_test.go's clone test does.
type sourcesRun struct {
	t     *testing.T
	srv   *coordinator.Server
	git   *gitserver.Server
	ns    string
	token string
}

// startSourcesRun starts the daemon with runnerKeys as more lines of its
// [[runners]] table, gitServerURL in them replaced by the git server's URL.
func startSourcesRun(t *testing.T, runnerKeys ...string) *sourcesRun {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "run-sources"))
	clustertest.Cache(t, img)
	// The helper image `make integration-test` has just pushed: busybox for
	// the hooks. CacheShared pulls the tag again, so the node runs this one.
	clustertest.CacheShared(t, localcluster.HelperImage)
	r := &sourcesRun{t: t, ns: clustertest.Namespace(t), srv: coordinator.New(t, "tok"), token: "job-token-sources-5678"}
	r.srv.SetTraceInterval(1)
	r.git = gitserver.NewOn(t, r.token, clustertest.PodReachableAddress(t))
	for i, k := range runnerKeys {
		runnerKeys[i] = strings.ReplaceAll(k, gitServerURL, r.git.URL)
	}
	startDaemonWithRunnerKeys(t, r.srv, r.ns, img, runnerKeys)
	return r
}

// gitServerURL stands for the git server's URL in startSourcesRun's keys.
const gitServerURL = "GIT_SERVER_URL"

// enqueue queues a job on repo at sha with vars and the script lines.
func (r *sourcesRun) enqueue(repo *gitserver.Repo, sha string, vars common.JobVariables, hooks []common.Hook, lines ...string) int64 {
	return r.srv.Enqueue(r.job(repo, sha, vars, hooks, lines...))
}

// job is what enqueue queues.
func (r *sourcesRun) job(repo *gitserver.Repo, sha string, vars common.JobVariables, hooks []common.Hook, lines ...string) common.Job {
	j := daemonJob(lines...)
	j.Token = r.token
	j.JobInfo = common.JobInfo{Name: "sources", ProjectName: "project"}
	j.GitInfo = common.GitInfo{RepoURL: repo.URL(), Ref: "main", Sha: sha, RefType: common.RefTypeBranch, Depth: 20}
	j.Variables = vars
	j.Hooks = hooks
	return j
}

// finished waits for the job's final update and returns its record.
func (r *sourcesRun) finished(id int64) coordinator.JobRecord {
	r.t.Helper()
	var rec coordinator.JobRecord
	require.Eventually(r.t, func() bool { rec, _ = r.srv.Job(id); return rec.Completed >= 1 }, 4*time.Minute, 50*time.Millisecond)
	r.t.Logf("trace of job %d:\n%s", id, rec.Trace)
	assert.NotContains(r.t, string(rec.Trace), r.token, "the job token never reaches the trace")
	return rec
}

// requireNothingLeft waits for the jobs' pods and secrets to be gone: the
// daemon still runs, and cleanup may end just after the final update.
func (r *sourcesRun) requireNothingLeft() {
	r.t.Helper()
	require.Eventually(r.t, func() bool {
		return !hasJobObjects(r.t, r.ns)
	}, time.Minute, 200*time.Millisecond, "pods or secrets of the jobs are left")
}

// inOrder asserts that trace holds each of texts, in that order.
func inOrder(t *testing.T, trace string, texts ...string) {
	t.Helper()
	at := 0
	for _, s := range texts {
		i := strings.Index(trace[at:], s)
		require.GreaterOrEqual(t, i, 0, "%q is not in the trace after %q", s, trace[:at])
		at += i + len(s)
	}
}

// GIT_STRATEGY empty: the project directory is there and empty, nothing
// is fetched, and the hooks do not run (as on GitLab Runner).
func TestRunGitStrategyEmpty(t *testing.T) {
	r := startSourcesRun(t)
	repo := r.git.NewRepo(t, "group/project")
	sha := repo.Commit(t, "main", "one", map[string]string{"hello.txt": "hello\n"})
	id := r.enqueue(repo, sha, common.JobVariables{{Key: "GIT_STRATEGY", Value: "empty"}},
		[]common.Hook{{Name: common.HookPreGetSources, Script: []string{"echo pre-hook-ran"}}},
		`echo "pwd=$(pwd) entries=$(ls -A | wc -l)"`)
	rec := r.finished(id)
	assert.Equal(t, "success", rec.State)
	trace := string(rec.Trace)
	assert.Contains(t, trace, "Skipping the get_sources hooks: GIT_STRATEGY is empty")
	assert.Contains(t, trace, "GIT_STRATEGY is empty, ")
	assert.Contains(t, trace, "entries=0")
	assert.NotContains(t, trace, "pre-hook-ran")
	assert.Empty(t, r.git.Requests(), "nothing is fetched")
	r.requireNothingLeft()
}

// pre_get_sources_script runs in the helper before the clone and sees the
// job's variables, masked in the log; post_get_sources_script runs after
// it. A failing pre hook fails the job as script_failure with its exit
// code, before any fetch.
func TestRunGetSourcesHooks(t *testing.T) {
	r := startSourcesRun(t)
	repo := r.git.NewRepo(t, "group/project")
	sha := repo.Commit(t, "main", "one", map[string]string{"hello.txt": "hello from the repository\n"})
	const secret = "hook-secret-value-4242"
	vars := common.JobVariables{
		{Key: "HOOK_VAR", Value: "visible-value", Public: true},
		{Key: "HOOK_SECRET", Value: secret, Masked: true},
	}
	hooks := []common.Hook{
		{Name: common.HookPreGetSources, Script: []string{`echo "pre-hook sees $HOOK_VAR"`, `echo "pre-hook secret $HOOK_SECRET"`}},
		{Name: common.HookPostGetSources, Script: []string{`echo "post-hook sees $(cat hello.txt)"`}},
	}
	ok := r.enqueue(repo, sha, vars, hooks, "echo script-ran")
	failing := r.enqueue(repo, sha, vars, []common.Hook{{Name: common.HookPreGetSources, Script: []string{"echo failing-hook", "exit 3"}}}, "echo never")

	rec := r.finished(ok)
	assert.Equal(t, "success", rec.State)
	trace := string(rec.Trace)
	inOrder(t, trace, "pre-hook sees visible-value", "pre-hook secret [MASKED]", "Fetching changes from "+repo.URL(),
		"post-hook sees hello from the repository", "script-ran")
	assert.NotContains(t, trace, secret)

	rec = r.finished(failing)
	assert.Equal(t, "failed", rec.State)
	assert.Equal(t, "script_failure", rec.FailureReason)
	assert.Equal(t, 3, rec.ExitCode)
	assert.Contains(t, string(rec.Trace), "failing-hook")
	assert.NotContains(t, string(rec.Trace), "Fetching changes", "the clone never started")
	assert.NotContains(t, string(rec.Trace), "$ echo never")
	r.requireNothingLeft()
}

// The runner's scripts of config.toml: its get_sources scripts around the
// job's hooks (post_clone_script under its old name), its build scripts
// in the script's shell around the script; post_build_script does not run
// after a script that failed.
func TestRunRunnerScripts(t *testing.T) {
	r := startSourcesRun(t, `pre_get_sources_script = "echo runner-pre-sources"`, `post_clone_script = "echo runner-post-sources"`,
		`pre_build_script = "export FROM_RUNNER=runner-prebuild"`, `post_build_script = "echo post-build sees $FROM_RUNNER"`)
	repo := r.git.NewRepo(t, "group/project")
	sha := repo.Commit(t, "main", "one", map[string]string{"hello.txt": "hello\n"})
	hooks := []common.Hook{
		{Name: common.HookPreGetSources, Script: []string{"echo job-pre-sources"}},
		{Name: common.HookPostGetSources, Script: []string{"echo job-post-sources"}},
	}
	ok := r.enqueue(repo, sha, nil, hooks, `echo "script sees $FROM_RUNNER"`)
	failing := r.enqueue(repo, sha, nil, nil, "exit 5")

	rec := r.finished(ok)
	assert.Equal(t, "success", rec.State)
	inOrder(t, string(rec.Trace), "runner-pre-sources", "job-pre-sources", "Fetching changes from "+repo.URL(),
		"job-post-sources", "runner-post-sources", "script sees runner-prebuild", "post-build sees runner-prebuild")

	rec = r.finished(failing)
	assert.Equal(t, "failed", rec.State)
	assert.Equal(t, 5, rec.ExitCode)
	assert.NotContains(t, string(rec.Trace), "post-build sees")
	r.requireNothingLeft()
}

// clone_url: the payload names a host the pods cannot reach; the runner's
// clone_url and the project's path are where the sources come from.
func TestRunCloneURL(t *testing.T) {
	r := startSourcesRun(t, `clone_url = "`+gitServerURL+`"`)
	repo := r.git.NewRepo(t, "group/project")
	sha := repo.Commit(t, "main", "one", map[string]string{"hello.txt": "hello through clone_url\n"})
	j := r.job(repo, sha, common.JobVariables{{Key: "CI_PROJECT_PATH", Value: "group/project", Public: true}}, nil, "cat hello.txt")
	j.GitInfo.RepoURL = "http://gitlab.invalid/group/project.git"
	rec := r.finished(r.srv.Enqueue(j))
	assert.Equal(t, "success", rec.State)
	inOrder(t, string(rec.Trace), "Fetching changes from "+repo.URL(), "hello through clone_url")
}

// GIT_CLONE_PATH: the sources go where the job's variables say, below
// $CI_BUILDS_DIR, and the script runs there.
func TestRunGitClonePath(t *testing.T) {
	r := startSourcesRun(t)
	repo := r.git.NewRepo(t, "group/project")
	sha := repo.Commit(t, "main", "one", map[string]string{"hello.txt": "hello from GIT_CLONE_PATH\n"})
	vars := common.JobVariables{
		{Key: "CI_PROJECT_PATH", Value: "group/project", Public: true},
		{Key: "GOPATH", Value: "$CI_BUILDS_DIR/go", Public: true},
		{Key: "GIT_CLONE_PATH", Value: "$GOPATH/src/example.com/$CI_PROJECT_PATH", Public: true},
	}
	rec := r.finished(r.enqueue(repo, sha, vars, nil, `echo "pwd=$(pwd) dir=$CI_PROJECT_DIR"`, "cat hello.txt"))
	assert.Equal(t, "success", rec.State)
	inOrder(t, string(rec.Trace), "pwd=/builds/go/src/example.com/group/project dir=/builds/go/src/example.com/group/project",
		"hello from GIT_CLONE_PATH")
}

// A Git LFS file holds its real content in the checked-out tree; with
// GIT_LFS_SKIP_SMUDGE=1 it holds the pointer.
func TestRunGitLFS(t *testing.T) {
	r := startSourcesRun(t)
	repo := r.git.NewRepo(t, "group/project")
	repo.Commit(t, "main", "plain", map[string]string{"README.md": "readme\n"})
	const content = "the real LFS content of big.bin\n"
	sha := repo.CommitLFS(t, "main", "lfs", map[string]string{"big.bin": content})
	smudged := r.enqueue(repo, sha, nil, nil, "cat big.bin", "sha256sum big.bin")
	pointers := r.enqueue(repo, sha, common.JobVariables{{Key: "GIT_LFS_SKIP_SMUDGE", Value: "1"}}, nil, "cat big.bin")

	rec := r.finished(smudged)
	assert.Equal(t, "success", rec.State)
	inOrder(t, string(rec.Trace), "Git LFS: 1 files hold their content (1 objects downloaded", "$ cat big.bin", content)
	assert.NotContains(t, string(rec.Trace), "git-lfs.github.com/spec/v1")

	rec = r.finished(pointers)
	assert.Equal(t, "success", rec.State)
	inOrder(t, string(rec.Trace), "Leaving the 1 Git LFS files as pointers: GIT_LFS_SKIP_SMUDGE is set", "$ cat big.bin",
		"version https://git-lfs.github.com/spec/v1", "oid sha256:")
	assert.NotContains(t, string(rec.Trace), content)
	r.requireNothingLeft()
}

// hasJobObjects reports whether a pod or a secret of a job is in ns.
func hasJobObjects(t *testing.T, ns string) bool {
	cs, _ := clustertest.Client(t)
	sel := metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kuberunner"}
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), sel)
	require.NoError(t, err)
	secrets, err := cs.CoreV1().Secrets(ns).List(context.Background(), sel)
	require.NoError(t, err)
	return len(pods.Items)+len(secrets.Items) > 0
}

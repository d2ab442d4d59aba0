//go:build integration

package commands

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/gitserver"
	"kuberunner/test/localcluster"
	"kuberunner/test/pki"
)

// A GitLab behind a private CA (issue 18, "must show" 6), through
// `kuberunner run` and the test coordinator: the coordinator API and the
// clone both go over https, their certificates signed by a CA the test
// made and gave as tls-ca-file; the job sees the CA as
// CI_SERVER_TLS_CA_FILE. Without the CA the runner says which host it
// could not verify, and a clone from a server the CA does not vouch for
// fails naming the git host and the CA file in use.
func TestRunWithAPrivateCA(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "run-tls"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	ca := pki.NewTestCA(t, "kuberunner test GitLab CA")
	caFile := pki.WriteFile(t, "gitlab-ca.pem", ca.CertPEM())
	withCA := fmt.Sprintf("tls-ca-file = %q", caFile)
	// The daemon reaches the coordinator on this machine's loopback; the
	// job's pod reaches the git server on the cluster's bridge, so each
	// certificate holds the address its client uses.
	gitAddr := clustertest.PodReachableAddress(t)
	const jobToken = "job-token-tls-5e1f"
	cloneJob := func(git *gitserver.Server) common.Job {
		repo := git.NewRepo(t, "group/project")
		sha := repo.Commit(t, "main", "first", map[string]string{"hello.txt": "hello over https\n"})
		j := daemonJob("cat hello.txt", "head -1 \"$CI_SERVER_TLS_CA_FILE\"")
		j.Token = jobToken
		j.JobInfo = common.JobInfo{Name: "tls", ProjectName: "project"}
		j.GitInfo = common.GitInfo{RepoURL: repo.URL(), Ref: "main", Sha: sha, RefType: "branch"}
		return j
	}
	coordinatorWithCA := func(t *testing.T) *coordinator.Server {
		srv := coordinator.NewTLS(t, ca.Serving(t, "127.0.0.1").TLS(), "tok")
		srv.SetTraceInterval(1)
		return srv
	}

	t.Run("the CA in tls-ca-file: API, clone and CI_SERVER_TLS_CA_FILE", func(t *testing.T) {
		git := gitserver.NewOn(t, jobToken, gitAddr, gitserver.TLS(ca.Serving(t, gitAddr).TLS()))
		ns := clustertest.Namespace(t)
		srv := coordinatorWithCA(t)
		id := srv.Enqueue(cloneJob(git))

		cmd, _ := startDaemonWithRunnerKeys(t, srv, ns, img, []string{withCA})

		rec := waitCompleted(t, srv, id)
		require.NoError(t, cmd.Process.Signal(syscall.SIGQUIT))
		assert.Equal(t, 0, waitExit(t, cmd))
		assert.Equal(t, "success", rec.State, "trace:\n%s", rec.Trace)
		assert.Contains(t, string(rec.Trace), "hello over https")
		assert.Contains(t, string(rec.Trace), "\n-----BEGIN CERTIFICATE-----")
		assert.NotContains(t, string(rec.Trace), jobToken)
		assert.NotEmpty(t, git.Requests(), "the clone went to the https server")
		requireNoJobObjects(t, ns)
	})

	t.Run("no tls-ca-file: the runner names GitLab's host", func(t *testing.T) {
		ns := clustertest.Namespace(t)
		srv := coordinatorWithCA(t)
		id := srv.Enqueue(daemonJob("echo never"))
		host := strings.TrimPrefix(srv.URL, "https://")

		cmd, out := startDaemon(t, srv, ns, img)

		want := "the TLS certificate of " + host + " cannot be verified with the system's CA certificates"
		require.Eventually(t, func() bool { return strings.Contains(out.String(), want) }, time.Minute, 100*time.Millisecond,
			"the runner's output never said %q", want)
		require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
		assert.Equal(t, 0, waitExit(t, cmd))
		rec, _ := srv.Job(id)
		assert.Zero(t, rec.Completed, "the job was never taken")
		assert.Empty(t, srv.Requests(), "no request got past the TLS handshake")
	})

	t.Run("a git server the CA does not vouch for: the clone names its host", func(t *testing.T) {
		other := pki.NewTestCA(t, "a CA the runner does not trust")
		git := gitserver.NewOn(t, jobToken, gitAddr, gitserver.TLS(other.Serving(t, gitAddr).TLS()))
		gitHost := strings.TrimPrefix(git.URL, "https://")
		ns := clustertest.Namespace(t)
		srv := coordinatorWithCA(t)
		id := srv.Enqueue(cloneJob(git))

		cmd, _ := startDaemonWithRunnerKeys(t, srv, ns, img, []string{withCA})

		rec := waitCompleted(t, srv, id)
		require.NoError(t, cmd.Process.Signal(syscall.SIGQUIT))
		assert.Equal(t, 0, waitExit(t, cmd))
		assert.Equal(t, "failed", rec.State)
		assert.Contains(t, string(rec.Trace), "the TLS certificate of "+gitHost+" cannot be verified with the system's CA certificates and tls-ca-file "+caFile)
		assert.NotContains(t, string(rec.Trace), "-----BEGIN CERTIFICATE-----", "no script ran")
		for _, r := range git.Requests() {
			t.Errorf("the untrusted git server answered %s %s", r.Method, r.Path)
		}
		requireNoJobObjects(t, ns)
	})
}

// waitCompleted waits until job id is reported and returns its record.
func waitCompleted(t *testing.T, srv *coordinator.Server, id int64) coordinator.JobRecord {
	t.Helper()
	var rec coordinator.JobRecord
	require.Eventually(t, func() bool { rec, _ = srv.Job(id); return rec.Completed >= 1 }, 4*time.Minute, 100*time.Millisecond,
		"job %d was never reported", id)
	t.Logf("trace of job %d:\n%s", id, rec.Trace)
	return rec
}

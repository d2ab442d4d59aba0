//go:build integration

package commands

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
)

// An operator's GitLab Runner commands through the binary, against the
// test coordinator and the cluster: register two runners; `list` them;
// `run -c FILE --listen-address :PORT` answers /-/health and /metrics on
// that port and runs a job; after one runner is deleted in GitLab,
// `verify --delete` removes it from the file; `unregister --all-runners`
// deletes the other in GitLab and empties the file. No output shows a
// token.
func TestOperatorCommandsThroughTheBinary(t *testing.T) {
	const first, second = "glrt-operator-first-0123456789", "glrt-operator-second-0123456789"
	img := clustertest.Push(t, clustertest.UniqueImage(t, "operator-cli"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	ns := clustertest.Namespace(t)
	srv := coordinator.New(t, first, second)
	path := filepath.Join(t.TempDir(), "config.toml")
	kr := func(args ...string) string {
		t.Helper()
		out, code := runBinary(t, args...)
		require.Equal(t, 0, code, "kuberunner %s:\n%s", strings.Join(args, " "), out)
		for _, tok := range []string{first, second} {
			assert.NotContains(t, out, tok)
		}
		return out
	}

	for name, tok := range map[string]string{"first": first, "second": second} {
		kr("register", "--non-interactive", "-c", path, "--url", srv.URL, "--token", tok, "--executor", "kubernetes",
			"--description", name, "--kubernetes-namespace", ns, "--kubernetes-image", img,
			"--kubernetes-helper-image", localcluster.HelperImage, "--kubernetes-pull-policy", "if-not-present")
	}
	out := kr("list", "-c", path)
	assert.Contains(t, out, "Token="+common.ShortToken(first))
	assert.Contains(t, out, "Token="+common.ShortToken(second))

	runAndScrape(t, srv, path)

	srv.RemoveRunner(second)
	out = kr("verify", "--delete", "-c", path)
	assert.Contains(t, out, `Verified runner "first"`)
	assert.Contains(t, out, `Removed runner "second"`)
	assert.Equal(t, []string{"first"}, runnerNames(t, path))

	kr("unregister", "--all-runners", "-c", path)
	assert.False(t, srv.HasRunner(first), "GitLab deleted the runner")
	assert.Empty(t, runnerNames(t, path))
	out = kr("list", "-c", path)
	assert.NotContains(t, out, "Executor=")
}

// runAndScrape runs `kuberunner run -c path --listen-address :PORT`
// until a job has run, checks the probes and the metrics on PORT, and
// stops it with SIGTERM.
func runAndScrape(t *testing.T, srv *coordinator.Server, path string) {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(kuberunnerBinary(t), "run", "-c", path, "--listen-address", ":"+port)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+clustertest.Cluster(t).KubeconfigPath())
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		t.Logf("kuberunner run:\n%s", out.String())
	})
	base := "http://127.0.0.1:" + port
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, time.Minute, 50*time.Millisecond, "/-/ready on :%s", port)
	assert.Equal(t, http.StatusOK, get(t, base+"/-/health").status)

	id := srv.Enqueue(daemonJob("echo hello from run"))
	waitTrace(t, srv, id, "hello from run")
	require.Eventually(t, func() bool { rec, _ := srv.Job(id); return rec.Completed == 1 }, 3*time.Minute, 50*time.Millisecond)
	rec, _ := srv.Job(id)
	assert.Equal(t, "success", rec.State, "trace:\n%s", rec.Trace)
	metrics := get(t, base+"/metrics").body
	for _, name := range []string{"gitlab_runner_jobs_total", "gitlab_runner_version_info", "gitlab_runner_concurrent"} {
		assert.Contains(t, metrics, name)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, waitExit(t, cmd))
}

// runBinary runs the kuberunner binary with args and returns its output,
// stdout then stderr, and exit code.
func runBinary(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(kuberunnerBinary(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return stdout.String() + stderr.String(), code
}

//go:build integration

package commands

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
)

// reloadableDaemon runs `kuberunner run` on a config.toml that write
// rewrites: global is its global keys, the runner stays the same.
func reloadableDaemon(t *testing.T, srv *coordinator.Server, ns, image, global string) (cmd *exec.Cmd, out *lockedBuffer, write func(global string)) {
	path := filepath.Join(t.TempDir(), "config.toml")
	write = func(global string) {
		cfg := fmt.Sprintf("%s\ncheck_interval = 1\n\n[[runners]]\n  name = \"reload\"\n  url = %q\n  token = \"tok\"\n  request_concurrency = 3\n  [runners.kubernetes]\n    namespace = %q\n    image = %q\n    helper_image = %q\n    pull_policy = \"if-not-present\"\n",
			global, srv.URL, ns, image, localcluster.HelperImage)
		require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	}
	write(global)
	cmd = exec.Command(kuberunnerBinary(t), "run", "--config", path)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+clustertest.Cluster(t).KubeconfigPath())
	out = &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		t.Logf("kuberunner run:\n%s", out.String())
	})
	return cmd, out, write
}

// SIGHUP with concurrent changed from 1 to 3: the process goes on, the
// job that runs across the reload is not disturbed (it finishes, is
// reported once, its trace whole), and three jobs run at once afterwards.
func TestRunReloadConcurrent(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "run-reload"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	ns := clustertest.Namespace(t)
	srv := coordinator.New(t, "tok")
	srv.SetTraceInterval(1)
	cmd, out, write := reloadableDaemon(t, srv, ns, img, "concurrent = 1")

	across := srv.Enqueue(daemonJob("echo started-across", "sleep 45", "echo finished-across"))
	waitTrace(t, srv, across, "started-across")
	held := srv.Enqueue(daemonJob("echo started-held", "sleep 20"))
	assert.Never(t, func() bool { return srv.Running() > 1 }, 3*time.Second, 50*time.Millisecond, "concurrent = 1 holds the second job back")

	write("concurrent = 3")
	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	require.Eventually(t, func() bool {
		return strings.Contains(out.String(), "Configuration reloaded (received hangup): 1 runner(s), concurrent = 3")
	}, time.Minute, 50*time.Millisecond)
	more := srv.Enqueue(daemonJob("echo started-more", "sleep 20"))
	last := srv.Enqueue(daemonJob("echo started-last", "sleep 1"))

	// Three jobs run at once: the one from before the reload and two after.
	waitTrace(t, srv, held, "started-held")
	waitTrace(t, srv, more, "started-more")
	rec, _ := srv.Job(across)
	require.NotContains(t, string(rec.Trace), "finished-across", "the three ran at once")
	assert.Equal(t, 3, srv.Running())

	for _, id := range []int64{across, held, more, last} {
		require.Eventually(t, func() bool { rec, _ := srv.Job(id); return rec.Completed == 1 }, 3*time.Minute, 100*time.Millisecond, "job %d", id)
		rec, _ := srv.Job(id)
		assert.Equal(t, "success", rec.State, "job %d:\n%s", id, rec.Trace)
	}
	assert.Equal(t, 3, srv.MaxRunning())
	rec, _ = srv.Job(across)
	assert.Contains(t, string(rec.Trace), "finished-across")
	assert.Equal(t, 1, rec.FinalUpdates)
	assert.Empty(t, srv.Violations())
	assert.Nil(t, cmd.ProcessState, "SIGHUP did not end the process")

	require.NoError(t, cmd.Process.Signal(syscall.SIGQUIT))
	assert.Equal(t, 0, waitExit(t, cmd))
	requireNoJobObjects(t, ns)
}

//go:build integration

package commands

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
	"kuberunner/test/clustertest"
	"kuberunner/test/coordinator"
	"kuberunner/test/localcluster"
)

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startDaemon runs `kuberunner run` as a process against a test
// coordinator, with one runner in namespace ns; kubeKeys are more lines of
// its [runners.kubernetes] table.
func startDaemon(t *testing.T, srv *coordinator.Server, ns, image string, kubeKeys ...string) (*exec.Cmd, *lockedBuffer) {
	return startDaemonWithRunnerKeys(t, srv, ns, image, nil, kubeKeys...)
}

// startDaemonWithRunnerKeys is startDaemon with runnerKeys as more lines of
// the [[runners]] table (`tls-ca-file = "..."`).
func startDaemonWithRunnerKeys(t *testing.T, srv *coordinator.Server, ns, image string, runnerKeys []string, kubeKeys ...string) (*exec.Cmd, *lockedBuffer) {
	dir := t.TempDir()
	cfg := fmt.Sprintf("concurrent = 2\ncheck_interval = 1\n\n[[runners]]\n  name = \"it\"\n  url = %q\n  token = \"tok\"\n  executor = \"kubernetes\"\n%s  [runners.kubernetes]\n    namespace = %q\n    image = %q\n    helper_image = %q\n    pull_policy = \"if-not-present\"\n",
		srv.URL, keyLines(runnerKeys), ns, image, localcluster.HelperImage) + strings.Join(kubeKeys, "\n") + "\n"
	path := filepath.Join(dir, "config.toml")
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	cmd := exec.Command(kuberunnerBinary(t), "run", "--config", path)
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
	return cmd, out
}

// keyLines is each key on a line of its own, indented as a runner's.
func keyLines(keys []string) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("  " + k + "\n")
	}
	return b.String()
}

func waitTrace(t *testing.T, srv *coordinator.Server, id int64, text string) {
	t.Helper()
	require.Eventually(t, func() bool {
		rec, _ := srv.Job(id)
		return strings.Contains(string(rec.Trace), text)
	}, 3*time.Minute, 50*time.Millisecond, "job %d never printed %q", id, text)
}

func waitExit(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		require.NoError(t, err)
		return 0
	case <-time.After(2 * time.Minute):
		t.Fatal("kuberunner run did not exit")
		return -1
	}
}

func requireNoJobObjects(t *testing.T, ns string) {
	cs, _ := clustertest.Client(t)
	sel := metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kuberunner"}
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), sel)
	require.NoError(t, err)
	secrets, err := cs.CoreV1().Secrets(ns).List(context.Background(), sel)
	require.NoError(t, err)
	assert.Empty(t, pods.Items, "pods left")
	assert.Empty(t, secrets.Items, "secrets left")
}

func daemonJob(lines ...string) common.Job {
	return common.Job{Steps: []common.Step{{Name: common.StepScript, Script: lines, When: common.WhenOnSuccess}}}
}

// SIGTERM during a job: the job is reported failed once, its pod and
// secret are gone, and the process exits 0. SIGQUIT: the running job
// finishes and is reported success, then the process exits 0.
func TestRunSignals(t *testing.T) {
	img := clustertest.Push(t, clustertest.UniqueImage(t, "run-signals"))
	clustertest.Cache(t, img)
	clustertest.CacheShared(t, localcluster.HelperImage)
	tests := []struct {
		name   string
		sig    syscall.Signal
		script []string
		state  string
	}{
		{"SIGTERM aborts", syscall.SIGTERM, []string{"echo started", "sleep 300"}, "failed"},
		{"SIGQUIT drains", syscall.SIGQUIT, []string{"echo started", "sleep 3", "echo finished"}, "success"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := clustertest.Namespace(t)
			srv := coordinator.New(t, "tok")
			srv.SetTraceInterval(1)
			id := srv.Enqueue(daemonJob(tt.script...))
			cmd, _ := startDaemon(t, srv, ns, img)
			waitTrace(t, srv, id, "started")
			require.NoError(t, cmd.Process.Signal(tt.sig))
			assert.Equal(t, 0, waitExit(t, cmd))
			rec, _ := srv.Job(id)
			assert.Equal(t, tt.state, rec.State)
			assert.Equal(t, 1, rec.Completed, "reported exactly once")
			requireNoJobObjects(t, ns)
		})
	}
}

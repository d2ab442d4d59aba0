package commands

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
)

// A signal ends `exec` within the promised 10 s even when the Kubernetes
// API server takes every request and never answers: the job's requests
// end with its context, and cleanup's deletes with the budget.
func TestSignalEndsAJobOnASilentAPIServer(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	srv.StartTLS()
	defer srv.Close()
	defer close(release)
	t.Setenv("KUBECONFIG", silentKubeconfig(t, srv.URL))

	sigs := make(chan os.Signal, 2)
	in, stop := watchInterrupts(sigs, cleanupBudget, io.Discard, func(int) {})
	defer stop()
	var out bytes.Buffer
	log := buildlog.New(&out, buildlog.Format("terminal"), nil)
	runner := &config.RunnerConfig{Name: "r", Executor: "kubernetes", Kubernetes: &config.KubernetesConfig{Image: "busybox"}}
	job := &common.Job{ID: 5, Steps: []common.Step{{Name: common.StepScript, Script: []string{"true"}, When: common.WhenOnSuccess}}}

	var signalled time.Time
	time.AfterFunc(time.Second, func() { signalled = time.Now(); sigs <- syscall.SIGTERM })
	code := runJob(in, log, job, runner, "")
	took := time.Since(signalled)
	assert.Equal(t, ExitError, code)
	assert.Less(t, took, 10*time.Second, "from the signal to the job's end\n%s", out.String())
	assert.Contains(t, out.String(), "Job failed: canceled (interrupted by terminated)")
}

func silentKubeconfig(t *testing.T, server string) string {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q, insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: not-a-secret}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`, server)
	if err := os.WriteFile(path, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

package commands

import (
	"bytes"
	"io"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
	"kuberunner/test/silentapi"
)

// A signal ends `exec` within the promised 10 s even when the Kubernetes
// API server takes every request and never answers: the job's requests
// end with its context, and cleanup's deletes with the budget.
func TestSignalEndsAJobOnASilentAPIServer(t *testing.T) {
	t.Setenv("KUBECONFIG", silentapi.Start(t, true).Kubeconfig(t))

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

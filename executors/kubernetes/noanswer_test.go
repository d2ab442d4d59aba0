package kubernetes

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/rest"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/kubeapi"
	"kuberunner/test/silentapi"
)

// An API server that accepts connections and never answers must fail the
// job as a system failure naming the cause, within the header timeout and
// not at the job timeout, and the cleanup after it is bounded too.
func TestAPIServerThatNeverAnswers(t *testing.T) {
	srv := silentapi.Start(t, false)

	e := New(&rest.Config{Host: srv.URL})
	e.headerTimeout = 200 * time.Millisecond
	var buf bytes.Buffer
	log := buildlog.New(&buf, buildlog.Format("terminal"), nil)
	job := &common.Job{ID: 3, Steps: []common.Step{{Name: common.StepScript, Script: []string{"true"}, When: common.WhenOnSuccess}}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := executors.Run(ctx, e, executors.Options{Job: job, Runner: &config.RunnerConfig{Name: "r", Kubernetes: &config.KubernetesConfig{Image: "busybox"}}, Log: log})
	require.Error(t, err)
	var be *common.BuildError
	require.True(t, errors.As(err, &be))
	assert.Equal(t, common.RunnerSystemFailure, be.FailureReason)
	assert.ErrorIs(t, err, kubeapi.ErrAPINoAnswer)
	assert.NoError(t, ctx.Err(), "the job must not have waited for its own deadline")
}

// The cleanup after such a failure must not wait out a silent server:
// two unanswered deletes end it (kubeapi's silentTries), so the whole job
// costs a few header timeouts, not cleanup's two minutes of retries.
func TestSilentAPIServerBoundsTheWholeJob(t *testing.T) {
	srv := silentapi.Start(t, true)

	const headerTimeout = 200 * time.Millisecond
	e := New(&rest.Config{Host: srv.URL, TLSClientConfig: rest.TLSClientConfig{Insecure: true}})
	e.headerTimeout = headerTimeout
	log := buildlog.New(&bytes.Buffer{}, buildlog.Format("terminal"), nil)
	job := &common.Job{ID: 4, Steps: []common.Step{{Name: common.StepScript, Script: []string{"true"}, When: common.WhenOnSuccess}}}
	start := time.Now()
	err := executors.Run(context.Background(), e, executors.Options{Job: job, Runner: &config.RunnerConfig{Name: "r", Kubernetes: &config.KubernetesConfig{Image: "busybox"}}, Log: log})
	assert.ErrorIs(t, err, kubeapi.ErrAPINoAnswer)
	assert.Less(t, time.Since(start), 20*headerTimeout, "a create and two deletes, with short pauses")
	assert.Equal(t, int32(3), srv.Requests(), "the secret's create, then two unanswered deletes")
}

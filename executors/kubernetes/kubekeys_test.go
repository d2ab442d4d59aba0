package kubernetes

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/rest"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
	"kuberunner/executors"
)

// A job that breaks allowed_images fails in Prepare, as a configuration
// error that names the image and the patterns; Prepare sends no request,
// so nothing was created.
func TestPrepareRefusesAnImageNotAllowed(t *testing.T) {
	var buf bytes.Buffer
	log := buildlog.New(&buf, buildlog.LogFormatTerminal, nil)
	e := New(&rest.Config{Host: "http://127.0.0.1:1"})
	job := &common.Job{ID: 1, Image: common.Image{Name: "docker.io/library/ubuntu:24.04"}}
	k := &config.KubernetesConfig{Image: "busybox"}
	k.AllowedImages = []string{"registry.example.com/**"}
	err := e.Prepare(context.Background(), executors.Options{Job: job, Runner: &config.RunnerConfig{Name: "r", Kubernetes: k}, Log: log})
	require.Error(t, err)
	var be *common.BuildError
	require.True(t, errors.As(err, &be))
	assert.Equal(t, common.ConfigurationFailure, be.FailureReason)
	var na *config.NotAllowedError
	require.True(t, errors.As(err, &na), "the typed cause is kept")
	assert.Equal(t, "allowed_images", na.Key)
	assert.Contains(t, err.Error(), `the job's image "docker.io/library/ubuntu:24.04" is not allowed by this runner's allowed_images ("registry.example.com/**")`)
	assert.Nil(t, e.api.Interface, "no client, no request")
}

// What the job's variables changed is in the build log.
func TestPrepareLogsOverwrites(t *testing.T) {
	var buf bytes.Buffer
	log := buildlog.New(&buf, buildlog.LogFormatTerminal, nil)
	e := New(&rest.Config{Host: "http://127.0.0.1:1"})
	job := &common.Job{ID: 1, Variables: common.JobVariables{{Key: "KUBERNETES_NAMESPACE_OVERWRITE", Value: "ci-7", Public: true}}}
	k := &config.KubernetesConfig{Image: "busybox", Namespace: "ci"}
	k.NamespaceOverwriteAllowed = "^ci-[0-9]+$"
	require.NoError(t, e.Prepare(context.Background(), executors.Options{Job: job, Runner: &config.RunnerConfig{Name: "r", Kubernetes: k}, Log: log}))
	require.NoError(t, log.Close())
	assert.Contains(t, buf.String(), "Using Kubernetes namespace: ci-7")
	assert.Contains(t, buf.String(), `namespace overwritten with "ci-7" by KUBERNETES_NAMESPACE_OVERWRITE`)
}

package kubernetes

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/rest"

	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
	"kuberunner/executors"
	"kuberunner/executors/kubernetes/internal/podspec"
	"kuberunner/test/pki"
)

// The runner's tls-* files reach the helper in the clone request (stdin)
// and the job as CI_SERVER_TLS_CA_FILE (the job's secret); the pod spec
// holds neither, and the key goes nowhere but the clone request.
func TestPrepareHandsOnTheRunnersTLS(t *testing.T) {
	ca := pki.NewTestCA(t, "private GitLab CA")
	client := ca.Client(t, "runner")
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	for name, data := range map[string][]byte{"ca.pem": ca.CertPEM(), "client.pem": client.CertPEM, "client.key": client.KeyPEM} {
		pki.WriteFileAt(t, filepath.Join(dir, name), data)
	}
	src := fmt.Sprintf("[[runners]]\nname = \"r\"\ntls-ca-file = %q\ntls-cert-file = \"client.pem\"\ntls-key-file = \"client.key\"\n[runners.kubernetes]\nimage = \"busybox\"\n", caFile)
	cfg, _, err := config.Parse(filepath.Join(dir, "config.toml"), []byte(src))
	require.NoError(t, err)
	runner := cfg.Runners[0]
	job := &common.Job{ID: 7, Token: "job-token-tls", GitInfo: common.GitInfo{
		RepoURL: "https://gitlab.example/g/p.git", Ref: "main", Sha: "0123456789abcdef0123456789abcdef01234567", RefType: "branch",
	}, Steps: []common.Step{{Name: common.StepScript, Script: []string{"true"}, When: common.WhenOnSuccess}}}
	e := New(&rest.Config{Host: "https://127.0.0.1:1"})
	log := buildlog.New(&bytes.Buffer{}, buildlog.Format("terminal"), nil)

	require.NoError(t, e.Prepare(context.Background(), executors.Options{Job: job, Runner: runner, Log: log}))

	require.NotNil(t, e.sources.git.TLS)
	assert.Equal(t, runner.TLS(), *e.sources.git.TLS)
	v := common.JobVariable{Key: "CI_SERVER_TLS_CA_FILE", Value: string(ca.CertPEM()), Public: true, File: true, Raw: true}
	assert.Contains(t, podspec.FileVariables(e.vars), v)
	val, _ := podspec.Lookup(e.vars, v.Key)
	assert.Equal(t, v.Value, val, "a predefined variable, so that job variables may refer to it")

	pod, err := json.Marshal(podspec.BuildPod(e.spec, podspec.PodSecrets{Variables: "secret"}, 1, func(string) common.PullPolicy { return common.PullPolicyIfNotPresent }))
	require.NoError(t, err)
	assert.NotContains(t, string(pod), "CERTIFICATE")
	assert.NotContains(t, string(pod), "PRIVATE KEY")
	secret, err := json.Marshal(podspec.BuildSecret(e.spec, e.vars))
	require.NoError(t, err)
	assert.NotContains(t, string(secret), "PRIVATE KEY", "the key is not a job variable")
}

package podspec

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/executors/kubernetes/internal/golden"
)

// The job's registry Secret: a kubernetes.io/dockerconfigjson Secret named
// from GenerateName, with the job's labels and expiry, like the variables
// Secret, so that cleanup (by the job label) and the sweep (by
// managed-by and the expiry) find it.
func TestBuildRegistrySecret(t *testing.T) {
	cfg := config.KubernetesConfig{Namespace: "ci", Image: "registry.example.com/team/app:1"}
	runner := &config.RunnerConfig{Name: "local runner", Kubernetes: &cfg}
	job := &common.Job{ID: 42}
	tests := []struct {
		name    string
		timeout time.Duration
	}{
		{"registry", time.Hour},
		{"registry-no-timeout", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := NewJobSpec(job, runner, &cfg, "42-abcdef", nil)
			require.NoError(t, err)
			spec.Expires = Expiry(time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC), tt.timeout)
			// Data as registryauth.DockerConfigJSON renders it, for a
			// made-up account.
			data := []byte(`{"auths":{"registry.example.com":{"username":"u","password":"p","auth":"dTpw"}}}`)
			s := BuildRegistrySecret(spec, data)
			golden.Require(t, "secret-"+tt.name+".yaml", s)

			vars := BuildSecret(spec, nil)
			assert.Equal(t, vars.Labels, s.Labels, "the labels of every Secret of the job")
			assert.Equal(t, vars.Annotations, s.Annotations, "the expiry of every Secret of the job")
			assert.Equal(t, corev1.SecretTypeDockerConfigJson, s.Type)
			assert.Equal(t, spec.Key, s.Labels[JobLabel])
			assert.NotContains(t, s.Labels, AttemptLabel)
		})
	}
}

package kubernetes

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"k8s.io/utils/ptr"

	"kuberunner/common/config"
)

// The pods' grace period at cleanup, GitLab Runner's rule with
// kuberunner's 0 when neither key is set.
func TestCleanupGrace(t *testing.T) {
	five, thirty := 5, 30
	tests := []struct {
		name string
		cfg  config.KubernetesConfig
		want *int64
	}{
		{"neither key: at once", config.KubernetesConfig{}, ptr.To(int64(0))},
		{"cleanup_grace_period_seconds", config.KubernetesConfig{KubernetesCleanup: config.KubernetesCleanup{CleanupGracePeriodSeconds: &five}}, ptr.To(int64(5))},
		{"the pod's own grace period", config.KubernetesConfig{KubernetesPodKeys: config.KubernetesPodKeys{PodTerminationGracePeriodSeconds: &thirty}}, nil},
		{"cleanup's wins over the pod's", config.KubernetesConfig{
			KubernetesCleanup: config.KubernetesCleanup{CleanupGracePeriodSeconds: &five},
			KubernetesPodKeys: config.KubernetesPodKeys{PodTerminationGracePeriodSeconds: &thirty},
		}, ptr.To(int64(5))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, cleanupGrace(&tt.cfg))
		})
	}
}

//go:build integration

package kubernetes

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/test/clustertest"
)

// restrictedNamespace labels a test namespace so that the API server's
// PodSecurity admission (on by default) enforces the "restricted" profile.
func restrictedNamespace(t *testing.T) string {
	ns := clustertest.Namespace(t)
	cs, _ := clustertest.Client(t)
	patch := []byte(`{"metadata":{"labels":{"pod-security.kubernetes.io/enforce":"restricted","pod-security.kubernetes.io/enforce-version":"latest"}}}`)
	_, err := cs.CoreV1().Namespaces().Patch(context.Background(), ns, "application/merge-patch+json", patch, metav1.PatchOptions{})
	require.NoError(t, err)
	return ns
}

// The reference scenario in a namespace that enforces Pod Security
// "restricted", with a config that asks for a non-root user: the executor's
// defaults supply everything else the profile requires.
func TestRestrictedNamespaceSeedScenario(t *testing.T) {
	ns := restrictedNamespace(t)
	img := cachedImage(t, "restricted")
	clustertest.StopRegistry(t)
	yes, uid := true, 1000
	cfg := config.KubernetesConfig{
		Image: img, PullPolicy: alwaysThenCached,
		PodSecurityContext: &config.PodSecurityContext{RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid, FSGroup: &uid},
	}
	job := &common.Job{ID: 1, Steps: []common.Step{{Name: common.StepScript, Script: []string{"id -u", "echo Done"}, When: common.WhenOnSuccess}}}
	r := runOnCluster(t, ns, cfg, job)
	require.NoError(t, r.err)
	require.Equal(t, 2, r.exec.stats.attempts)
	require.Contains(t, r.log, "1000")
	require.Contains(t, r.log, "Done")
}

// Without a non-root user the same namespace refuses the pod: the
// admission is real, and its refusal is the operator's configuration.
func TestRestrictedNamespaceRefusesRoot(t *testing.T) {
	ns := restrictedNamespace(t)
	img := cachedImage(t, "restricted-root")
	r := runOnCluster(t, ns, config.KubernetesConfig{Image: img, PullPolicy: common.PullPolicies{common.PullPolicyIfNotPresent}}, &common.Job{ID: 2})
	be := requireBuildError(t, r.err, common.ConfigurationFailure)
	require.Contains(t, be.Error(), "runAsNonRoot")
	require.Equal(t, 1, r.exec.stats.attempts)
}

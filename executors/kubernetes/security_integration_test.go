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
// "restricted", with security_profile "restricted" and a config that names
// a non-root user: the profile supplies everything else the standard
// requires.
func TestRestrictedNamespaceSeedScenario(t *testing.T) {
	ns := restrictedNamespace(t)
	img := cachedImage(t, "restricted")
	clustertest.StopRegistry(t)
	yes, uid := true, 1000
	cfg := config.KubernetesConfig{
		Image: img, PullPolicy: alwaysThenCached, SecurityProfile: config.SecurityProfileRestricted,
		PodSecurityContext: &config.PodSecurityContext{RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid, FSGroup: &uid},
	}
	job := &common.Job{ID: 1, Steps: []common.Step{{Name: common.StepScript, Script: []string{"id -u", "echo Done"}, When: common.WhenOnSuccess}}}
	r := runOnCluster(t, ns, cfg, job)
	require.NoError(t, r.err)
	require.Equal(t, 2, r.exec.stats.attempts)
	require.Contains(t, r.log, "1000")
	require.Contains(t, r.log, "Done")
}

// Without a non-root user the same namespace gets no job to run: it refuses
// the pod of the default profile, "baseline", at admission (the admission
// is real), and under "restricted" the kubelet refuses to start a root
// image. Either is the operator's configuration.
func TestRestrictedNamespaceRefusesRoot(t *testing.T) {
	ns := restrictedNamespace(t)
	img := cachedImage(t, "restricted-root")
	tests := []struct {
		name    string
		profile string
		want    string
	}{
		{"baseline is refused at admission", "", `violates PodSecurity "restricted`},
		{"restricted with a root image is refused by the kubelet", config.SecurityProfileRestricted, "runAsNonRoot"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.KubernetesConfig{Image: img, PullPolicy: common.PullPolicies{common.PullPolicyIfNotPresent}, SecurityProfile: tt.profile}
			r := runOnCluster(t, ns, cfg, &common.Job{ID: int64(2 + i)})
			be := requireBuildError(t, r.err, common.ConfigurationFailure)
			require.Contains(t, be.Error(), tt.want)
			require.Contains(t, be.Error(), "runAsNonRoot")
			require.Equal(t, 1, r.exec.stats.attempts)
		})
	}
}

// Under "restricted" with a user for the build container only, the helper
// (whose image runs as root by default) runs as the profile's non-root
// user, so the pod is admitted and the job runs; the log names the profile.
func TestRestrictedProfileRunsTheHelperAsNonRoot(t *testing.T) {
	ns := restrictedNamespace(t)
	img := cachedImage(t, "restricted-helper")
	uid := 1000
	cfg := config.KubernetesConfig{
		Image: img, PullPolicy: common.PullPolicies{common.PullPolicyIfNotPresent}, SecurityProfile: config.SecurityProfileRestricted,
		BuildContainerSecurityContext: &config.ContainerSecurityContext{RunAsUser: &uid, RunAsGroup: &uid},
	}
	job := &common.Job{ID: 4, Steps: []common.Step{{Name: common.StepScript, Script: []string{"echo uid=$(id -u) groups=$(id -G)", "touch /builds/written"}, When: common.WhenOnSuccess}}}
	r := runOnCluster(t, ns, cfg, job)
	require.NoError(t, r.err)
	require.Contains(t, r.log, `Security profile "restricted"`)
	require.Contains(t, r.log, "uid=1000 groups=1000 65532", "the pod's fsGroup is the build user's too")
}

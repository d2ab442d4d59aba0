package podspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"kuberunner/common"
	"kuberunner/common/config"
)

func caps(add, drop []corev1.Capability) *corev1.Capabilities {
	return &corev1.Capabilities{Add: add, Drop: drop}
}

type capList = []corev1.Capability

func TestContainerSecurity(t *testing.T) {
	yes, no, uid := true, false, 1000
	var id int64 = helperNonRootID
	dropAll := caps(nil, capList{"ALL"})
	dropRaw := caps(nil, capList{"NET_RAW"})
	restricted := config.SecurityProfileRestricted
	tests := []struct {
		name string
		cfg  config.KubernetesConfig
		kind containerKind
		want *corev1.SecurityContext
	}{
		// baseline, the default
		{"baseline build: the runtime's capabilities less NET_RAW, escalation allowed", config.KubernetesConfig{}, buildKind,
			&corev1.SecurityContext{Capabilities: dropRaw}},
		{"baseline service", config.KubernetesConfig{SecurityProfile: config.SecurityProfileBaseline}, serviceKind,
			&corev1.SecurityContext{Capabilities: dropRaw}},
		{"baseline helper needs nothing", config.KubernetesConfig{}, helperKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: dropAll}},
		{"cap_add wins over the default drop", config.KubernetesConfig{CapAdd: []string{"NET_RAW"}}, buildKind,
			&corev1.SecurityContext{Capabilities: caps(capList{"NET_RAW"}, nil)}},
		{"cap_drop wins over cap_add", config.KubernetesConfig{CapAdd: []string{"SYS_TIME"}, CapDrop: []string{"SYS_TIME"}}, buildKind,
			&corev1.SecurityContext{Capabilities: caps(nil, capList{"NET_RAW", "SYS_TIME"})}},
		{"cap_add and cap_drop on top of the profile", config.KubernetesConfig{CapAdd: []string{"NET_ADMIN"}, CapDrop: []string{"SYS_ADMIN", "NET_RAW"}}, serviceKind,
			&corev1.SecurityContext{Capabilities: caps(capList{"NET_ADMIN"}, capList{"NET_RAW", "SYS_ADMIN"})}},
		{"cap_add is not the helper's", config.KubernetesConfig{CapAdd: []string{"NET_ADMIN"}}, helperKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: dropAll}},
		{"privileged loosens build and services", config.KubernetesConfig{Privileged: &yes}, serviceKind,
			&corev1.SecurityContext{Privileged: &yes, AllowPrivilegeEscalation: &yes}},
		{"privileged never reaches the helper", config.KubernetesConfig{Privileged: &yes}, helperKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: dropAll}},
		{"privileged = false is the profile", config.KubernetesConfig{Privileged: &no}, buildKind,
			&corev1.SecurityContext{Capabilities: dropRaw}},
		{"allow_privilege_escalation = false tightens baseline", config.KubernetesConfig{AllowPrivilegeEscalation: &no}, buildKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: dropRaw}},
		// restricted
		{"restricted build", config.KubernetesConfig{SecurityProfile: restricted}, buildKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: dropAll}},
		{"restricted helper runs as a non-root user", config.KubernetesConfig{SecurityProfile: restricted}, helperKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: dropAll, RunAsUser: &id, RunAsGroup: &id}},
		{"restricted helper takes the pod's user", config.KubernetesConfig{SecurityProfile: restricted, PodSecurityContext: &config.PodSecurityContext{RunAsUser: &uid}}, helperKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: dropAll, RunAsGroup: &id}},
		{"the helper table wins over the profile's user", config.KubernetesConfig{SecurityProfile: restricted, HelperContainerSecurityContext: &config.ContainerSecurityContext{RunAsUser: &uid, RunAsGroup: &uid}}, helperKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: dropAll, RunAsUser: ptr.To(int64(1000)), RunAsGroup: ptr.To(int64(1000))}},
		{"restricted cap_add keeps drop ALL", config.KubernetesConfig{SecurityProfile: restricted, CapAdd: []string{"NET_BIND_SERVICE"}, CapDrop: []string{"ALL"}}, buildKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: caps(capList{"NET_BIND_SERVICE"}, capList{"ALL"})}},
		{"allow_privilege_escalation loosens restricted", config.KubernetesConfig{SecurityProfile: restricted, AllowPrivilegeEscalation: &yes}, buildKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &yes, Capabilities: dropAll}},
		{"the kind's table wins", config.KubernetesConfig{
			SecurityProfile:                restricted,
			Privileged:                     &yes,
			HelperContainerSecurityContext: &config.ContainerSecurityContext{RunAsNonRoot: &yes, SeccompProfileType: "Localhost", SeccompLocalhostProfile: "p.json"},
			BuildContainerSecurityContext:  &config.ContainerSecurityContext{Privileged: &no, AllowPrivilegeEscalation: &no},
		}, buildKind, &corev1.SecurityContext{Privileged: &no, AllowPrivilegeEscalation: &no}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, containerSecurity(&tt.cfg, tt.kind))
		})
	}
}

func TestPodSecurity(t *testing.T) {
	no, gid := false, 1000
	var id int64 = helperNonRootID
	tests := []struct {
		name    string
		cfg     config.KubernetesConfig
		nonRoot *bool
		fsGroup *int64
		seccomp corev1.SeccompProfileType
	}{
		{"baseline leaves the user to the image", config.KubernetesConfig{}, nil, nil, corev1.SeccompProfileTypeRuntimeDefault},
		{"restricted: non-root, and a group for the builds volume", config.KubernetesConfig{SecurityProfile: config.SecurityProfileRestricted}, ptr.To(true), &id, corev1.SeccompProfileTypeRuntimeDefault},
		{"the operator's fs_group wins", config.KubernetesConfig{SecurityProfile: config.SecurityProfileRestricted, PodSecurityContext: &config.PodSecurityContext{FSGroup: &gid}}, ptr.To(true), ptr.To(int64(1000)), corev1.SeccompProfileTypeRuntimeDefault},
		{"the operator's run_as_non_root wins", config.KubernetesConfig{SecurityProfile: config.SecurityProfileRestricted, PodSecurityContext: &config.PodSecurityContext{RunAsNonRoot: &no}}, &no, &id, corev1.SeccompProfileTypeRuntimeDefault},
		{"seccomp_profile_type", config.KubernetesConfig{PodSecurityContext: &config.PodSecurityContext{SeccompProfileType: "Unconfined"}}, nil, nil, corev1.SeccompProfileTypeUnconfined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := podSecurity(&tt.cfg)
			assert.Equal(t, tt.nonRoot, got.RunAsNonRoot)
			assert.Equal(t, tt.fsGroup, got.FSGroup)
			assert.Equal(t, tt.seccomp, got.SeccompProfile.Type)
		})
	}
}

// The build log names the profile and each capability beyond it, once per
// set of containers that share the change.
func TestSecurityLines(t *testing.T) {
	job := &common.Job{ID: 1, Image: common.Image{Name: "debian"}, Services: []common.Image{{Name: "postgres"}}}
	baseline := `Security profile "baseline": meets Pod Security "baseline": the container runtime's default capabilities less NET_RAW, privilege escalation allowed, seccomp RuntimeDefault, no service-account token`
	restricted := `Security profile "restricted": meets Pod Security "restricted": every capability dropped, no privilege escalation, non-root, seccomp RuntimeDefault, no service-account token`
	yes := true
	tests := []struct {
		name string
		cfg  config.KubernetesConfig
		want []string
	}{
		{"the default profile alone", config.KubernetesConfig{}, []string{baseline}},
		{"cap_add and cap_drop", config.KubernetesConfig{CapAdd: []string{"NET_ADMIN", "SYS_TIME"}, CapDrop: []string{"SYS_ADMIN"}},
			[]string{baseline, "Capabilities beyond the baseline profile: build, svc-0 add NET_ADMIN, SYS_TIME; drop SYS_ADMIN"}},
		{"cap_add of a dropped capability", config.KubernetesConfig{CapAdd: []string{"NET_RAW"}},
			[]string{baseline, "Capabilities beyond the baseline profile: build, svc-0 add NET_RAW"}},
		{"a table's capabilities", config.KubernetesConfig{
			SecurityProfile:                 config.SecurityProfileRestricted,
			BuildContainerSecurityContext:   &config.ContainerSecurityContext{Capabilities: &config.Capabilities{}},
			HelperContainerSecurityContext:  &config.ContainerSecurityContext{Capabilities: &config.Capabilities{Drop: []string{"ALL"}}},
			ServiceContainerSecurityContext: &config.ContainerSecurityContext{Capabilities: &config.Capabilities{Add: []string{"NET_BIND_SERVICE"}, Drop: []string{"ALL"}}},
		}, []string{restricted,
			"Capabilities beyond the restricted profile: build no longer drop ALL",
			"Capabilities beyond the restricted profile: svc-0 add NET_BIND_SERVICE"}},
		{"privileged is left to its warning", config.KubernetesConfig{Privileged: &yes}, []string{baseline}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runner := &config.RunnerConfig{Name: "r", Kubernetes: &tt.cfg}
			spec, err := NewJobSpec(job, runner, &tt.cfg, "1-a", nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, SecurityLines(spec))
		})
	}
}

package podspec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"

	"kuberunner/common/config"
)

func TestContainerSecurity(t *testing.T) {
	yes, no := true, false
	dropAll := &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}
	tests := []struct {
		name string
		cfg  config.KubernetesConfig
		kind containerKind
		want *corev1.SecurityContext
	}{
		{"defaults", config.KubernetesConfig{}, buildKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: dropAll}},
		{"privileged loosens build and services", config.KubernetesConfig{Privileged: &yes}, serviceKind,
			&corev1.SecurityContext{Privileged: &yes, AllowPrivilegeEscalation: &yes}},
		{"privileged never reaches the helper", config.KubernetesConfig{Privileged: &yes}, helperKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: dropAll}},
		{"privileged = false is the default", config.KubernetesConfig{Privileged: &no}, buildKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: dropAll}},
		{"allow_privilege_escalation", config.KubernetesConfig{AllowPrivilegeEscalation: &yes}, buildKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &yes, Capabilities: dropAll}},
		{"cap_add keeps drop ALL", config.KubernetesConfig{CapAdd: []string{"NET_ADMIN"}}, buildKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN"}, Drop: []corev1.Capability{"ALL"}}}},
		{"cap_add is not the helper's", config.KubernetesConfig{CapAdd: []string{"NET_ADMIN"}}, helperKind,
			&corev1.SecurityContext{AllowPrivilegeEscalation: &no, Capabilities: dropAll}},
		{"the kind's table wins", config.KubernetesConfig{
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

func TestPodSecurityDefault(t *testing.T) {
	got := podSecurity(&config.KubernetesConfig{})
	assert.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, got.SeccompProfile.Type)
	assert.Nil(t, got.RunAsNonRoot)
	unconfined := podSecurity(&config.KubernetesConfig{PodSecurityContext: &config.PodSecurityContext{SeccompProfileType: "Unconfined"}})
	assert.Equal(t, corev1.SeccompProfileTypeUnconfined, unconfined.SeccompProfile.Type)
}

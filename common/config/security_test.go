package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Security settings are never dropped silently: they load, or the file is
// refused at the key's line.
func TestSecurityKeys(t *testing.T) {
	const head = "[[runners]]\nname = \"r\"\n[runners.kubernetes]\n"
	tests := []struct {
		name    string
		src     string
		wantErr string // "" when the file loads
		check   func(t *testing.T, k *KubernetesConfig)
	}{
		{"pod security context", head + "[runners.kubernetes.pod_security_context]\nrun_as_non_root = true\nrun_as_user = 1000\nsupplemental_groups = [2000]\n", "",
			func(t *testing.T, k *KubernetesConfig) {
				assert.Equal(t, 1000, *k.PodSecurityContext.RunAsUser)
				assert.Equal(t, []int{2000}, k.PodSecurityContext.SupplementalGroups)
			}},
		{"container capabilities", head + "[runners.kubernetes.build_container_security_context.capabilities]\nadd = [\"NET_ADMIN\"]\ndrop = [\"ALL\"]\n", "",
			func(t *testing.T, k *KubernetesConfig) {
				assert.Equal(t, []string{"NET_ADMIN"}, k.BuildContainerSecurityContext.Capabilities.Add)
			}},
		{"runner-wide keys", head + "allow_privilege_escalation = false\nautomount_service_account_token = false\ncap_drop = [\"ALL\"]\n", "",
			func(t *testing.T, k *KubernetesConfig) {
				assert.False(t, *k.AutomountServiceAccountToken)
			}},
		{"security_profile defaults to baseline", head, "",
			func(t *testing.T, k *KubernetesConfig) {
				assert.Equal(t, SecurityProfileBaseline, k.SecurityProfile)
			}},
		{"security_profile restricted", head + "security_profile = \"restricted\"\n", "",
			func(t *testing.T, k *KubernetesConfig) {
				assert.Equal(t, SecurityProfileRestricted, k.Profile())
			}},
		{"security_profile unknown", head + "security_profile = \"restrict\"\n",
			`config.toml:4: runners[0].kubernetes.security_profile: "restrict" is not one of the allowed values; allowed: baseline, restricted (did you mean "restricted"?)`, nil},
		{"unknown key in a security table", head + "[runners.kubernetes.pod_security_context]\nrun_as_nonroot = true\n",
			"config.toml:5: runners[0].kubernetes.pod_security_context.run_as_nonroot: is not a key of this security table", nil},
		{"unknown key in capabilities", head + "[runners.kubernetes.helper_container_security_context.capabilities]\nremove = [\"ALL\"]\n",
			"runners[0].kubernetes.helper_container_security_context.capabilities.remove: is not a key", nil},
		{"allowed_images loads", head + "allowed_images = [\"alpine:*\"]\n", "",
			func(t *testing.T, k *KubernetesConfig) { assert.Equal(t, []string{"alpine:*"}, k.AllowedImages) }},
		{"runtime_class_name loads", head + "runtime_class_name = \"gvisor\"\n", "",
			func(t *testing.T, k *KubernetesConfig) { assert.Equal(t, "gvisor", k.RuntimeClassName) }},
		{"pod_spec is not implemented", head + "[[runners.kubernetes.pod_spec]]\nname = \"x\"\n",
			"config.toml:4: runners[0].kubernetes.pod_spec: is a security setting kuberunner does not implement", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := Parse("config.toml", []byte(tt.src))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			tt.check(t, cfg.Runners[0].Kubernetes)
		})
	}
}

// debug_trace_disabled loads, with no warning: ignoring it would trace the
// scripts of a runner whose operator turned tracing off.
func TestDebugTraceDisabled(t *testing.T) {
	cfg, warnings, err := Parse("config.toml", []byte("[[runners]]\nname = \"r\"\ndebug_trace_disabled = true\n"))
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.True(t, cfg.Runners[0].DebugTraceDisabled)
}

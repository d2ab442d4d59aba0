package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseToleration(t *testing.T) {
	tests := []struct {
		entry, effect string
		want          Toleration
		err           string
	}{
		{entry: "ci=true", effect: "NoSchedule", want: Toleration{Key: "ci", Operator: "Equal", Value: "true", Effect: "NoSchedule"}},
		{entry: "node-role.kubernetes.io/control-plane", effect: "NoSchedule", want: Toleration{Key: "node-role.kubernetes.io/control-plane", Operator: "Exists", Effect: "NoSchedule"}},
		{entry: "empty.value=", effect: "PreferNoSchedule", want: Toleration{Key: "empty.value", Operator: "Equal", Effect: "PreferNoSchedule"}},
		{entry: "only-key", effect: "", want: Toleration{Key: "only-key", Operator: "Exists"}},
		{entry: "bad key", effect: "NoSchedule", err: `taint key "bad key"`},
		{entry: "k=bad value", effect: "NoSchedule", err: `taint value "bad value"`},
		{entry: "k=v", effect: "NoScheduling", err: `taint effect "NoScheduling" is not one of NoSchedule, PreferNoSchedule, NoExecute`},
	}
	for _, tt := range tests {
		t.Run(tt.entry+"="+tt.effect, func(t *testing.T) {
			got, err := ParseToleration(tt.entry, tt.effect)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNodePlacementKeys(t *testing.T) {
	tests := []struct {
		name string
		src  string
		errs []at
		// affinity is pull_policy_node_affinity after defaults.
		affinity string
	}{
		{name: "defaults", src: "[[runners]]\n", affinity: NodeAffinityPreferred},
		{name: "required", src: "[[runners]]\n[runners.kubernetes]\npull_policy_node_affinity = \"required\"\n", affinity: NodeAffinityRequired},
		{name: "off", src: "[[runners]]\n[runners.kubernetes]\npull_policy_node_affinity = \"off\"\n", affinity: NodeAffinityOff},
		{
			name: "unknown affinity mode",
			src:  "[[runners]]\n[runners.kubernetes]\npull_policy_node_affinity = \"prefered\"\n",
			errs: []at{{3, "runners[0].kubernetes.pull_policy_node_affinity"}},
		},
		{
			name: "tolerations",
			src: `[[runners]]
[runners.kubernetes.node_tolerations]
"ci=true" = "NoSchedule"
"gpu" = ""
"bad key" = "NoSchedule"
"x=y" = "Sometimes"
`,
			errs: []at{{5, `runners[0].kubernetes.node_tolerations."bad key"`}, {6, `runners[0].kubernetes.node_tolerations."x=y"`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, warnings, err := Parse("config.toml", []byte(tt.src))
			assert.Empty(t, warnings)
			if tt.errs != nil {
				require.Error(t, err)
				assert.Equal(t, tt.errs, errorsAt(t, err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.affinity, cfg.Runners[0].Kubernetes.PullPolicyNodeAffinity)
		})
	}

	t.Run("the message names the value and what is allowed", func(t *testing.T) {
		_, _, err := Parse("config.toml", []byte("[[runners]]\n[runners.kubernetes]\npull_policy_node_affinity = \"prefered\"\n"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), `config.toml:3: runners[0].kubernetes.pull_policy_node_affinity: "prefered" is not one of the allowed values`)
		assert.Contains(t, err.Error(), "preferred, required, off")
		assert.Contains(t, err.Error(), `did you mean "preferred"?`)
	})
}

func TestTolerationsSorted(t *testing.T) {
	k := &KubernetesConfig{NodeTolerations: map[string]string{"b=1": "NoSchedule", "a": ""}}
	got, err := k.Tolerations()
	require.NoError(t, err)
	assert.Equal(t, []Toleration{{Key: "a", Operator: "Exists"}, {Key: "b", Operator: "Equal", Value: "1", Effect: "NoSchedule"}}, got)
	_, err = (&KubernetesConfig{NodeTolerations: map[string]string{"a": "Never"}}).Tolerations()
	require.ErrorContains(t, err, "node_tolerations: taint effect")
}

package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

const (
	always = common.PullPolicyAlways
	ifnp   = common.PullPolicyIfNotPresent
	never  = common.PullPolicyNever
	dflt   = common.PullPolicyDefault
)

func TestServicePullPolicies(t *testing.T) {
	k := &KubernetesConfig{
		PullPolicy:          common.PullPolicies{always},
		AllowedPullPolicies: common.PullPolicies{always, ifnp},
		Services: []KubernetesService{
			{Name: "postgres:16"},
			{Name: "redis:7", PullPolicy: common.PullPolicies{ifnp}},
			{Name: "mysql:8", PullPolicy: common.PullPolicies{never}},
		},
	}
	tests := []struct {
		name    string
		i       int
		job     common.PullPolicies
		want    common.PullPolicies
		wantErr bool
	}{
		{name: "service without list uses runner list", i: 0, want: common.PullPolicies{always}},
		{name: "service list replaces runner list", i: 1, want: common.PullPolicies{ifnp}},
		{name: "service list still bounded by allowed", i: 2, wantErr: true},
		{name: "job list replaces service list", i: 2, job: common.PullPolicies{ifnp, always}, want: common.PullPolicies{ifnp, always}},
		{name: "out of range", i: 3, wantErr: true},
		{name: "negative", i: -1, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := k.ServicePullPolicies(tt.i, tt.job)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	t.Run("allowed defaults to the runner list, not the service list", func(t *testing.T) {
		k := &KubernetesConfig{
			PullPolicy: common.PullPolicies{always},
			Services:   []KubernetesService{{Name: "redis:7", PullPolicy: common.PullPolicies{never}}},
		}
		_, err := k.ServicePullPolicies(0, nil)
		var ppe *common.PullPolicyError
		require.ErrorAs(t, err, &ppe)
		assert.Equal(t, common.FromPullPolicyAsAllowed, ppe.AllowedFrom)
		assert.Equal(t, common.FromRunnerConfig, ppe.RequestedFrom)
	})
	t.Run("nil config is the cluster default", func(t *testing.T) {
		var k *KubernetesConfig
		got, err := k.ImagePullPolicies("alpine", nil)
		require.NoError(t, err)
		assert.Equal(t, common.PullPolicies{dflt}, got)
	})
}

package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pull_retry_budget and pull_policy_fallback_on_denied: defaults, accepted
// values, and errors that name file, line, key, value and what is allowed.
func TestPullFailureKeys(t *testing.T) {
	tests := []struct {
		name     string
		body     string // lines of [runners.kubernetes]
		retries  int
		denied   bool
		wantErr  string
		wantWarn string
	}{
		{name: "unset", retries: DefaultPullRetryBudget},
		{name: "zero falls back at once", body: "pull_retry_budget = 0\n", retries: 0},
		{name: "the largest", body: "pull_retry_budget = 5\n", retries: 5},
		{name: "fallback on denied", body: "pull_policy_fallback_on_denied = true\n", retries: DefaultPullRetryBudget, denied: true},
		{
			name: "negative", body: "pull_retry_budget = -1\n",
			wantErr: `config.toml:3: runners[0].kubernetes.pull_retry_budget: -1 is out of range; allowed: 0 to 5 retries (0: fall back at once; unset means 2)`,
		},
		{
			name: "too many", body: "\npull_retry_budget = 50\n",
			wantErr: `config.toml:4: runners[0].kubernetes.pull_retry_budget: 50 is out of range; allowed: 0 to 5 retries (0: fall back at once; unset means 2)`,
		},
		{
			name: "a string", body: "pull_retry_budget = \"2\"\n",
			wantErr: `config.toml:3: runners[0].kubernetes.pull_retry_budget: "2" is a string; allowed: an integer`,
		},
		{
			name: "not a boolean", body: "pull_policy_fallback_on_denied = \"yes\"\n",
			wantErr: `config.toml:3: runners[0].kubernetes.pull_policy_fallback_on_denied: "yes" is a string; allowed: a boolean (true or false)`,
		},
		{
			name: "a typo warns", body: "pull_retry_budgets = 1\n", retries: DefaultPullRetryBudget,
			wantWarn: `config.toml:3: runners[0].kubernetes.pull_retry_budgets: not supported by kuberunner; ignored (did you mean "pull_retry_budget"?)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, warnings, err := Parse("config.toml", []byte("[[runners]]\n[runners.kubernetes]\n"+tt.body))
			if tt.wantErr != "" {
				errs := configErrors(t, err)
				require.Len(t, errs, 1)
				assert.EqualError(t, errs[0], tt.wantErr)
				return
			}
			require.NoError(t, err)
			if tt.wantWarn != "" {
				require.Len(t, warnings, 1)
				assert.Equal(t, tt.wantWarn, warnings[0].String())
			} else {
				assert.Empty(t, warnings)
			}
			k := cfg.Runners[0].Kubernetes
			assert.Equal(t, tt.retries, k.PullRetries())
			assert.Equal(t, tt.denied, k.PullPolicyFallbackOnDenied)
		})
	}

	t.Run("a config built in code gets the default", func(t *testing.T) {
		assert.Equal(t, DefaultPullRetryBudget, (&KubernetesConfig{}).PullRetries())
		var nilCfg *KubernetesConfig
		assert.Equal(t, DefaultPullRetryBudget, nilCfg.PullRetries())
	})
}

package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBreakerKeys(t *testing.T) {
	for _, tc := range []struct {
		name, keys string
		on         bool
		maxOpen    time.Duration
		err        string
	}{
		{"defaults", "", true, 10 * time.Minute, ""},
		{"off", `pull_policy_breaker = "off"`, false, 10 * time.Minute, ""},
		{"max open", `pull_policy_breaker_max_open = "90s"`, true, 90 * time.Second, ""},
		{"a typo", `pull_policy_breaker = "of"`, false, 0, `config.toml:4: runners[0].kubernetes.pull_policy_breaker: "of" is not one of the allowed values`},
		{"not a duration", `pull_policy_breaker_max_open = "10"`, false, 0, `config.toml:4: runners[0].kubernetes.pull_policy_breaker_max_open: "10" is not a duration from 1s to 24h`},
		{"too long", `pull_policy_breaker_max_open = "25h"`, false, 0, `allowed: a Go duration such as "10m"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _, err := Parse("config.toml", []byte("[[runners]]\nname = \"r\"\n[runners.kubernetes]\n"+tc.keys+"\n"))
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			k := cfg.Runners[0].Kubernetes
			assert.Equal(t, tc.on, k.BreakerEnabled())
			assert.Equal(t, tc.maxOpen, k.BreakerMaxOpen())
		})
	}
}

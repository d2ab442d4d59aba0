package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// image_pull_secrets and use_service_account_image_pull_secrets: accepted
// values, the errors, and the warning when the second makes the first
// pointless.
func TestPullSecretKeys(t *testing.T) {
	tests := []struct {
		name     string
		body     string // lines of [runners.kubernetes]
		secrets  []string
		useSA    bool
		wantErr  []string
		wantWarn string
	}{
		{name: "unset"},
		{name: "names", body: "image_pull_secrets = [\"corp-registry\", \"team.pull\"]\n", secrets: []string{"corp-registry", "team.pull"}},
		{name: "service account", body: "use_service_account_image_pull_secrets = true\n", useSA: true},
		{
			name: "not a Secret name", body: "image_pull_secrets = [\"ok\", \"Corp_Registry\"]\n",
			wantErr: []string{`config.toml:3: runners[0].kubernetes.image_pull_secrets[1]: "Corp_Registry" is not a Secret name; allowed: a lowercase RFC 1123 subdomain`},
		},
		{
			name: "empty name", body: "image_pull_secrets = [\"\"]\n",
			wantErr: []string{`config.toml:3: runners[0].kubernetes.image_pull_secrets[0]: "" is not a Secret name`},
		},
		{
			name: "a string, not a list", body: "image_pull_secrets = \"corp\"\n",
			wantErr: []string{`config.toml:3: runners[0].kubernetes.image_pull_secrets: "corp" is a string; allowed: an array`},
		},
		{
			name: "not a boolean", body: "use_service_account_image_pull_secrets = 1\n",
			wantErr: []string{`config.toml:3: runners[0].kubernetes.use_service_account_image_pull_secrets: 1 is an integer; allowed: a boolean (true or false)`},
		},
		{
			name: "both: the list is ignored", body: "image_pull_secrets = [\"corp\"]\nuse_service_account_image_pull_secrets = true\n",
			secrets: []string{"corp"}, useSA: true,
			wantWarn: `config.toml:3: runners[0].kubernetes.image_pull_secrets: ignored: use_service_account_image_pull_secrets = true leaves the pod without pull secrets of its own, so that the service account's apply`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, warnings, err := Parse("config.toml", []byte("[[runners]]\n[runners.kubernetes]\n"+tt.body))
			if tt.wantErr != nil {
				errs := configErrors(t, err)
				require.Len(t, errs, len(tt.wantErr))
				for i, want := range tt.wantErr {
					assert.Contains(t, errs[i].Error(), want)
				}
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
			assert.Equal(t, tt.secrets, k.ImagePullSecrets)
			assert.Equal(t, tt.useSA, k.UseServiceAccountImagePullSecrets)
		})
	}
}

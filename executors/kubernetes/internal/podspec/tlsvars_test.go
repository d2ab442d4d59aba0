package podspec

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
	"kuberunner/common/config"
	"kuberunner/test/pki"
)

func TestTLSVariables(t *testing.T) {
	ca := pki.NewTestCA(t, "private CA")
	caFile := pki.WriteFile(t, "ca.pem", ca.CertPEM())
	for _, tc := range []struct {
		name string
		keys string
		want common.JobVariables
	}{
		{"no tls-ca-file", "", nil},
		{"tls-ca-file", fmt.Sprintf("tls-ca-file = %q\n", caFile),
			common.JobVariables{{Key: "CI_SERVER_TLS_CA_FILE", Value: string(ca.CertPEM()), Public: true, File: true, Raw: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _, err := config.Parse(filepath.Join(t.TempDir(), "config.toml"), []byte("[[runners]]\nname = \"r\"\n"+tc.keys))
			require.NoError(t, err)
			got := TLSVariables(cfg.Runners[0])
			assert.Equal(t, tc.want, got)
			if got != nil {
				assert.Contains(t, StepScript(common.Step{Script: []string{"true"}}, StepOptions{Files: FileVariables(got)}),
					`export CI_SERVER_TLS_CA_FILE="$CI_BUILDS_DIR/.variables/CI_SERVER_TLS_CA_FILE"`)
			}
		})
	}
}

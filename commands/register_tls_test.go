//go:build unix

package commands

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
	"kuberunner/test/coordinator"
	"kuberunner/test/pki"
)

// register and verify talk to a GitLab behind a private CA through
// --tls-ca-file and the tls-ca-file key: register stores the file's
// absolute path, verify uses it. Without it, both fail naming the host;
// a file that is not a CA is refused before GitLab hears of the token.
func TestRegisterAndVerifyWithAPrivateCA(t *testing.T) {
	ca := pki.NewTestCA(t, "private GitLab CA")
	srv := coordinator.NewTLS(t, ca.Serving(t, "127.0.0.1").TLS(), registerToken)
	host := strings.TrimPrefix(srv.URL, "https://")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ca.pem"), ca.CertPEM(), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "not-a-ca.pem"), []byte("hello\n"), 0o600))
	t.Chdir(dir)
	path := filepath.Join(dir, "etc", "config.toml")
	run := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := Main(args, &stdout, &stderr)
		assert.NotContains(t, stdout.String()+stderr.String(), registerToken)
		return code, stdout.String() + stderr.String()
	}
	registerWith := func(name string, flags ...string) (int, string) {
		return run(append([]string{"register", "--url", srv.URL, "--token", registerToken, "--name", name, "--config", path}, flags...)...)
	}

	code, out := registerWith("no-ca")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, out, "the TLS certificate of "+host+" cannot be verified with the system's CA certificates")

	before := len(srv.Requests())
	code, out = registerWith("bad-ca", "--tls-ca-file", "not-a-ca.pem")
	assert.Equal(t, ExitError, code)
	assert.Contains(t, out, "kuberunner register: tls-ca-file: "+filepath.Join(dir, "not-a-ca.pem")+": holds no PEM certificate")
	assert.Len(t, srv.Requests(), before, "GitLab was not contacted")

	code, out = registerWith("with-ca", "--tls-ca-file", "ca.pem")
	require.Equal(t, ExitOK, code, out)
	cfg, _, err := config.Load(path)
	require.NoError(t, err)
	require.Len(t, cfg.Runners, 1)
	assert.Equal(t, filepath.Join(dir, "ca.pem"), cfg.Runners[0].TLSCAFile)

	code, out = run("verify", "--config", path)
	assert.Equal(t, ExitOK, code, out)
	assert.Contains(t, out, `Verified runner "with-ca"`)
}

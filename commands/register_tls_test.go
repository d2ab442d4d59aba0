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

// unregister --url --token reaches a GitLab behind a private CA through
// --tls-ca-file (or CI_SERVER_TLS_CA_FILE); without it, it fails naming
// the host and GitLab keeps the runner. With --name the file's own tls-*
// keys apply, and a typed --tls-* file is refused.
func TestUnregisterWithAPrivateCA(t *testing.T) {
	ca := pki.NewTestCA(t, "private GitLab CA")
	const tok = "glrt-unregister-tls-0001"
	srv := coordinator.NewTLS(t, ca.Serving(t, "127.0.0.1").TLS(), tok)
	host := strings.TrimPrefix(srv.URL, "https://")
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(caFile, ca.CertPEM(), 0o600))
	path := filepath.Join(dir, "config.toml")
	require.NoError(t, os.WriteFile(path, []byte("[[runners]]\nname = \"a\"\nurl = \"https://gitlab.invalid\"\ntoken = \"glrt-other\"\n"), 0o600))
	run := func(args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := Main(append([]string{"unregister", "-c", path}, args...), &stdout, &stderr)
		assert.NotContains(t, stdout.String()+stderr.String(), tok)
		return code, stdout.String() + stderr.String()
	}

	code, out := run("--url", srv.URL, "--token", tok)
	assert.Equal(t, ExitError, code)
	assert.Contains(t, out, host)
	assert.True(t, srv.HasRunner(tok))

	code, out = run("--name", "a", "--tls-ca-file", caFile)
	assert.Equal(t, ExitUsage, code, out)
	assert.Contains(t, out, "--tls-* files go with --url")

	t.Setenv("CI_SERVER_TLS_CA_FILE", caFile)
	code, out = run("--url", srv.URL, "--token", tok)
	assert.Equal(t, ExitOK, code, out)
	assert.False(t, srv.HasRunner(tok), "GitLab deleted the runner")
}

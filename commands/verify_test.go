package commands

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
	"kuberunner/test/coordinator"
)

// Secrets the tests of verify and register hand over, which no output may
// show.
const (
	testRunnerToken = "glrt-runner-secret"
	testURLUser     = "glpat-user-secret"
	testURLPassword = "pass-secret"
)

// withTestUserinfo is base (scheme://host:port) with the test's userinfo.
func withTestUserinfo(base string) string {
	return strings.Replace(base, "://", "://"+testURLUser+":"+testURLPassword+"@", 1)
}

// writeRunnerConfig writes a config.toml with one runner of url and token.
func writeRunnerConfig(t *testing.T, url, token string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	toml := fmt.Sprintf("[[runners]]\nname = \"a\"\nurl = %q\ntoken = %q\nexecutor = \"kubernetes\"\n", url, token)
	require.NoError(t, os.WriteFile(path, []byte(toml), 0o600))
	return path
}

// assertNoTestSecret fails if out shows the token or the URL's userinfo.
func assertNoTestSecret(t *testing.T, out string) {
	t.Helper()
	for _, s := range []string{testRunnerToken, testURLUser, testURLPassword} {
		assert.NotContains(t, out, s)
	}
}

// verify and register do not follow GitLab's redirect of runners/verify to
// another host (localhost is not 127.0.0.1), whatever the status, so they
// neither hand the token over nor report success on the other host's
// answer: they fail naming both URLs, without the token or the userinfo,
// and register writes no config.toml.
func TestVerifyAndRegisterRefuseRedirects(t *testing.T) {
	for _, command := range []string{"verify", "register"} {
		for _, status := range []int{301, 302, 303, 307, 308} {
			t.Run(fmt.Sprintf("%s %d", command, status), func(t *testing.T) {
				srv := coordinator.New(t, testRunnerToken)
				to := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + coordinator.PathRunnerVerify
				srv.Inject(coordinator.EndpointVerify, coordinator.Fault{Status: status, Header: map[string]string{"Location": to}})
				url := withTestUserinfo(srv.URL)
				path := filepath.Join(t.TempDir(), "config.toml")
				args := []string{"register", "--config", path, "--url", url, "--token", testRunnerToken, "--name", "a"}
				if command == "verify" {
					path = writeRunnerConfig(t, url, testRunnerToken)
					args = []string{"verify", "--config", path}
				}
				t.Setenv(config.EnvVar, "")
				var stdout, stderr bytes.Buffer

				code := Main(args, &stdout, &stderr)

				assert.Equal(t, ExitError, code, "stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
				assert.Empty(t, stdout.String())
				from := "http://[REDACTED]@" + strings.TrimPrefix(srv.URL, "http://") + coordinator.PathRunnerVerify
				assert.Contains(t, stderr.String(), from)
				assert.Contains(t, stderr.String(), to)
				assertNoTestSecret(t, stdout.String()+stderr.String())
				assert.Len(t, srv.RequestsTo(coordinator.PathRunnerVerify), 1, "the redirect was not followed")
				if command == "register" {
					assert.NoFileExists(t, path)
				}
			})
		}
	}
}

// verify says what GitLab's answer means: a rejected token (401 as 403),
// a certificate that cannot be verified (at once, naming the host, not
// after a minute of retries), without the token or the URL's userinfo.
func TestVerifyFailures(t *testing.T) {
	srv := coordinator.New(t, testRunnerToken)
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	for _, tc := range []struct {
		name  string
		url   string
		token string
		fault *coordinator.Fault
		want  string
	}{
		{name: "401", url: srv.URL, token: testRunnerToken, fault: &coordinator.Fault{Status: 401},
			want: "GitLab rejected the token (401)"},
		{name: "403", url: srv.URL, token: "glrt-wrong-secret",
			want: "GitLab rejected the token (403)"},
		{name: "certificate", url: tlsSrv.URL, token: testRunnerToken,
			want: "the TLS certificate of " + strings.TrimPrefix(tlsSrv.URL, "https://")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.fault != nil {
				srv.Inject(coordinator.EndpointVerify, *tc.fault)
			}
			path := writeRunnerConfig(t, withTestUserinfo(tc.url), tc.token)
			t.Setenv(config.EnvVar, "")
			var stdout, stderr bytes.Buffer
			start := time.Now()

			code := Main([]string{"verify", "--config", path}, &stdout, &stderr)

			assert.Equal(t, ExitError, code)
			assert.Less(t, time.Since(start), 5*time.Second, "not retried")
			assert.Contains(t, stderr.String(), tc.want)
			assertNoTestSecret(t, stdout.String()+stderr.String())
			assert.NotContains(t, stderr.String(), tc.token)
		})
	}
}

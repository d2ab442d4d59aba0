package runner

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
	"kuberunner/test/coordinator"
	"kuberunner/test/logbuf"
	"kuberunner/test/pki"
)

// Each runner talks to its GitLab with its own tls-ca-file: the runner
// given the private CA takes and reports its job; the runner without it
// never gets one, and the daemon's log names the host it could not verify.
func TestRunnersTrustTheirOwnCA(t *testing.T) {
	ca := pki.NewTestCA(t, "private GitLab CA")
	trusted := coordinator.NewTLS(t, ca.Serving(t, "127.0.0.1").TLS(), "tok-ca")
	untrusted := coordinator.NewTLS(t, ca.Serving(t, "127.0.0.1").TLS(), "tok-none")
	caFile := pki.WriteFile(t, "ca.pem", ca.CertPEM())
	src := fmt.Sprintf("concurrent = 2\ncheck_interval = 1\n"+
		"[[runners]]\nname = \"with-ca\"\nurl = %q\ntoken = \"tok-ca\"\ntls-ca-file = %q\n"+
		"[[runners]]\nname = \"without\"\nurl = %q\ntoken = \"tok-none\"\n", trusted.URL, caFile, untrusted.URL)
	path := filepath.Join(t.TempDir(), "config.toml")
	cfg, _, err := config.Parse(path, []byte(src))
	require.NoError(t, err)
	for _, r := range cfg.Runners {
		r.Executor = "fake-for-runner-tests"
	}
	releaseFakeJobs()
	id := trusted.Enqueue(job("true"))
	untrusted.Enqueue(job("true"))
	out := &logbuf.Buffer{}

	// The base client trusts nothing of the private CA: only tls-ca-file
	// can make the first runner work.
	graceful, done := startDaemonWith(t, coordinator.New(t), cfg, path, textLogger(out))

	require.Eventually(t, func() bool { rec, _ := trusted.Job(id); return rec.Completed == 1 }, 30*time.Second, 20*time.Millisecond)
	host := strings.TrimPrefix(untrusted.URL, "https://")
	require.Eventually(t, func() bool {
		return strings.Contains(out.String(), "the TLS certificate of "+host+" cannot be verified with the system's CA certificates")
	}, 10*time.Second, 20*time.Millisecond, "the log names the host: %s", out.String())
	close(graceful)
	require.NoError(t, <-done)
	rec, _ := trusted.Job(id)
	assert.Equal(t, "success", rec.State)
	for _, r := range untrusted.Requests() {
		t.Errorf("the untrusted server answered %s %s", r.Method, r.Path)
	}
}

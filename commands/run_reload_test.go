package commands

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
	"kuberunner/test/coordinator"
	"kuberunner/test/logbuf"
)

// SIGHUP reloads config.toml and `run` goes on (it used to end the
// process, exit 129); the probes answer on listen_address; SIGQUIT then
// stops it. The signals go to this test process, which `run` handles.
func TestRunReloadsOnSIGHUP(t *testing.T) {
	// No cluster: the start-up sweep fails at once and is only a warning.
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "absent"))
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	srv := coordinator.New(t, "tok")
	path := filepath.Join(t.TempDir(), "config.toml")
	write := func(concurrent int) {
		text := fmt.Sprintf("concurrent = %d\ncheck_interval = 1\nlisten_address = \"127.0.0.1:0\"\n\n[[runners]]\n  name = \"hup\"\n  url = %q\n  token = \"tok\"\n", concurrent, srv.URL)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	}
	write(1)
	stderr := &logbuf.Buffer{}
	code := make(chan int, 1)
	go func() {
		code <- runDaemon(runFlags{config: config.Location{Path: path}, override: func(*config.Config) {}}, stderr)
	}()

	served := regexp.MustCompile(`Serving metrics on (http://\S+)/metrics`)
	var base string
	require.Eventually(t, func() bool {
		m := served.FindStringSubmatch(stderr.String())
		if m != nil {
			base = m[1]
		}
		return base != ""
	}, 30*time.Second, 10*time.Millisecond, "%s", stderr)
	ready := func() int {
		resp, err := http.Get(base + "/-/ready")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	require.Eventually(t, func() bool { return ready() == http.StatusOK }, 30*time.Second, 10*time.Millisecond, "%s", stderr)

	write(3)
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.Eventually(t, func() bool {
		return regexp.MustCompile(`Configuration reloaded \(.*\): 1 runner\(s\), concurrent = 3`).MatchString(stderr.String())
	}, 30*time.Second, 10*time.Millisecond, "%s", stderr)
	assert.Equal(t, http.StatusOK, ready())
	assert.Empty(t, code, "run goes on after SIGHUP")

	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGQUIT))
	select {
	case c := <-code:
		assert.Equal(t, ExitOK, c, "%s", stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not stop:\n%s", stderr)
	}
}

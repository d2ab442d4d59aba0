package commands

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
	"kuberunner/test/logbuf"
)

// `kuberunner --log-format json --log-level debug run -c FILE
// --listen-address ADDR` serves /metrics on ADDR, a file without
// listen_address; the flags win over the file's log_level and log_format,
// after a SIGHUP reload too; SIGTERM stops it with 0.
func TestRunFlagsWinOverTheFile(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "absent"))
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	srv := coordinator.New(t, "tok")
	path := filepath.Join(t.TempDir(), "config.toml")
	write := func(concurrent int) {
		text := fmt.Sprintf("concurrent = %d\ncheck_interval = 1\nlog_level = \"error\"\nlog_format = \"text\"\n\n[[runners]]\n  name = \"flags\"\n  url = %q\n  token = \"tok\"\n", concurrent, srv.URL)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	}
	write(1)
	stderr := &logbuf.Buffer{}
	code := make(chan int, 1)
	args := []string{"--log-format", "json", "-l", "debug", "run", "-c", path, "--listen-address", "127.0.0.1:0"}
	go func() { code <- Main(args, io.Discard, stderr) }()

	served := regexp.MustCompile(`"msg":"Serving metrics on (http://[^"/]+)/metrics"`)
	var base string
	require.Eventually(t, func() bool {
		if m := served.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
		return base != ""
	}, 30*time.Second, 10*time.Millisecond, "%s", stderr)
	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	write(2)
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	require.Eventually(t, func() bool {
		return regexp.MustCompile(`"msg":"Configuration reloaded \(.*\): 1 runner\(s\), concurrent = 2"`).MatchString(stderr.String())
	}, 30*time.Second, 10*time.Millisecond, "the reload kept json and info lines: %s", stderr)

	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	select {
	case c := <-code:
		assert.Equal(t, ExitOK, c, "%s", stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not stop:\n%s", stderr)
	}
}

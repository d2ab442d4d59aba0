package commands

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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

// `kuberunner run -c FILE --listen-address :PORT`, GitLab Runner's form,
// and the same from $CONFIG_FILE and $LISTEN_ADDRESS: the probes and the
// metrics answer on every interface's PORT, and SIGTERM stops it with 0.
func TestRunListenAddress(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "absent"))
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	srv := coordinator.New(t, "tok")
	path := filepath.Join(t.TempDir(), "config.toml")
	text := fmt.Sprintf("concurrent = 1\ncheck_interval = 1\n\n[[runners]]\n  name = \"listen\"\n  url = %q\n  token = \"tok\"\n", srv.URL)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	tests := []struct {
		name string
		args func(port string) []string
		env  func(port string) map[string]string
	}{
		{name: "flags", args: func(port string) []string { return []string{"run", "-c", path, "--listen-address", ":" + port} }},
		{name: "environment variables", args: func(string) []string { return []string{"run"} },
			env: func(port string) map[string]string {
				return map[string]string{"CONFIG_FILE": path, "LISTEN_ADDRESS": ":" + port}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearCLIEnv(t)
			t.Setenv("LISTEN_ADDRESS", "")
			port := freePort(t)
			if tt.env != nil {
				for k, v := range tt.env(port) {
					t.Setenv(k, v)
				}
			}
			stderr := &logbuf.Buffer{}
			code := make(chan int, 1)
			go func() { code <- Main(tt.args(port), io.Discard, stderr) }()
			// The start line comes after the signal handlers are set:
			// a SIGTERM before them would end the test binary.
			require.Eventually(t, func() bool { return strings.Contains(stderr.String(), "runner(s), concurrent = 1") },
				30*time.Second, 10*time.Millisecond, "%s", stderr)

			assert.Equal(t, http.StatusOK, get(t, "http://127.0.0.1:"+port+"/-/health").status)
			metrics := get(t, "http://127.0.0.1:"+port+"/metrics")
			assert.Equal(t, http.StatusOK, metrics.status)
			assert.Contains(t, metrics.body, "gitlab_runner_version_info")

			require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
			select {
			case c := <-code:
				assert.Equal(t, ExitOK, c, "%s", stderr)
			case <-time.After(30 * time.Second):
				t.Fatalf("run did not stop:\n%s", stderr)
			}
		})
	}
}

// freePort is a TCP port nothing listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", ":0")
	require.NoError(t, err)
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// answer is a GET's status and body.
type answer struct {
	status int
	body   string
}

// get is one GET of url, read whole.
func get(t *testing.T, url string) answer {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, string(body)}
}

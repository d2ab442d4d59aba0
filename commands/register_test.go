//go:build unix

package commands

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
)

const registerToken = "glrt-register-test-token"

// fakeGitLab accepts every token at /api/v4/runners/verify and counts the
// requests, so that a test can tell whether register contacted GitLab.
func fakeGitLab(t *testing.T) (url string, requests *atomic.Int32) {
	t.Helper()
	requests = &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/api/v4/runners/verify" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, requests
}

type registerResult struct {
	code           int
	stdout, stderr string
}

// register runs `kuberunner register` and fails the test if it does not
// return within 10 s: it used to block for good on a named pipe.
func register(t *testing.T, url, path, name string) registerResult {
	t.Helper()
	done := make(chan registerResult, 1)
	go func() {
		var stdout, stderr bytes.Buffer
		code := Main([]string{"register", "--url", url, "--token", registerToken, "--name", name, "--config", path}, &stdout, &stderr)
		done <- registerResult{code, stdout.String(), stderr.String()}
	}()
	select {
	case r := <-done:
		assert.NotContains(t, r.stdout+r.stderr, registerToken, "the token is never printed")
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("register has not returned after 10 s")
	}
	return registerResult{}
}

func runnerNames(t *testing.T, path string) []string {
	t.Helper()
	cfg, _, err := config.Load(path)
	require.NoError(t, err)
	var names []string
	for _, r := range cfg.Runners {
		names = append(names, r.Name)
	}
	return names
}

// register reads config.toml, the way every named file is read, before it
// contacts GitLab: a file that cannot take the runner is refused without
// sending the token anywhere, and without reading it whole or blocking on
// it. Before, it called GitLab first, then os.ReadFile, which blocked on
// a named pipe and ran out of memory on a link to /dev/zero.
func TestRegisterReadsTheFileBeforeGitLab(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.toml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	zero := filepath.Join(dir, "zero.toml")
	require.NoError(t, os.Symlink("/dev/zero", zero))
	large := filepath.Join(dir, "large.toml")
	require.NoError(t, os.WriteFile(large, []byte("# "+strings.Repeat("x", config.MaxFileSize)+"\n"), 0o600))
	broken := filepath.Join(dir, "broken.toml")
	require.NoError(t, os.WriteFile(broken, []byte("[[runners]]\ntoken = \"glrt-old-secret\"\nlimit = -1\n"), 0o600))

	tests := []struct {
		name, path, want string
	}{
		{"a named pipe", fifo, fifo + ": not a regular file (it is a named pipe)"},
		{"a link to /dev/zero", zero, zero + ": not a regular file (it is a character device) (through the symbolic link to /dev/zero)"},
		{"over the size limit", large, large + ": the file is 8388611 bytes, over the limit of 8 MiB"},
		{"a file that does not load", broken, broken + ":3: runners[0].limit: -1 is out of range; allowed: 0 to 1000 jobs (0 means no limit)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, requests := fakeGitLab(t)

			r := register(t, url, tt.path, "a")

			assert.Equal(t, ExitError, r.code)
			assert.Contains(t, r.stderr, tt.want)
			assert.Zero(t, requests.Load(), "GitLab was contacted")
			assert.NotContains(t, r.stderr, "glrt-old-secret")
			_, err := os.Stat(filepath.Join(dir, ".runner_system_id"))
			assert.ErrorIs(t, err, os.ErrNotExist, "no system ID for a refused file")
		})
	}
}

// register creates the directory of a config file that does not exist
// yet, before it writes the system ID there. Before, writing the system
// ID failed, because the directory was made only when the file was.
func TestRegisterToANewDirectory(t *testing.T) {
	tests := []struct{ name, rel string }{
		{"one new directory", "kuberunner/config.toml"},
		{"nested new directories", "etc/kuberunner/conf.d/config.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, requests := fakeGitLab(t)
			path := filepath.Join(t.TempDir(), tt.rel)

			r := register(t, url, path, "a")

			require.Equal(t, ExitOK, r.code, r.stderr)
			assert.Equal(t, []string{"a"}, runnerNames(t, path))
			assert.FileExists(t, filepath.Join(filepath.Dir(path), ".runner_system_id"))
			assert.Equal(t, int32(1), requests.Load())
			info, err := os.Stat(filepath.Dir(path))
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
		})
	}
}

// Eight registers at once each keep their runner. Before, they lost
// runners to each other's rename (in 9 runs of this test in 10), and all
// said success; several rounds, so that luck cannot pass it.
func TestRegisterConcurrently(t *testing.T) {
	const n, rounds = 8, 3
	url, _ := fakeGitLab(t)
	for round := range rounds {
		t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			results := make([]registerResult, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i] = register(t, url, path, fmt.Sprintf("r%d", i))
				}()
			}
			wg.Wait()
			want := make([]string, n)
			for i, r := range results {
				require.Equal(t, ExitOK, r.code, r.stderr)
				want[i] = fmt.Sprintf("r%d", i)
			}
			assert.ElementsMatch(t, want, runnerNames(t, path))
		})
	}
}

// A config.toml that is a symbolic link (to a file kept elsewhere, as
// configuration managers do) stays a link, and its target gets the
// runner. Before, the link was replaced by a regular file.
func TestRegisterThroughASymlink(t *testing.T) {
	url, _ := fakeGitLab(t)
	linkDir, targetDir := t.TempDir(), t.TempDir()
	target := filepath.Join(targetDir, "config.toml")
	require.NoError(t, os.WriteFile(target, []byte("concurrent = 2\n"), 0o600))
	link := filepath.Join(linkDir, "config.toml")
	require.NoError(t, os.Symlink(target, link))

	r := register(t, url, link, "a")

	require.Equal(t, ExitOK, r.code, r.stderr)
	info, err := os.Lstat(link)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSymlink, info.Mode().Type())
	assert.Equal(t, []string{"a"}, runnerNames(t, target))
}

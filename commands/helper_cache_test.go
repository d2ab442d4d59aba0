package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/helpers/cachearchive"
)

// objectStore answers GET and PUT of paths, as signed S3 URLs are used.
func objectStore(t *testing.T) *httptest.Server {
	var mu sync.Mutex
	objects := map[string][]byte{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodPut {
			objects[r.URL.Path], _ = io.ReadAll(r.Body)
			return
		}
		b, ok := objects[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestHelperCache(t *testing.T) {
	srv := objectStore(t)
	root := t.TempDir()
	dir := filepath.Join(root, "group", "project")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "vendor"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vendor", "x"), []byte("cached"), 0o644))
	url := srv.URL + "/bucket/deps-protected?X-Amz-Signature=abc"
	req := cachearchive.Request{Dir: dir, StateDir: filepath.Join(root, ".kuberunner-cache"), TimeoutSeconds: 30,
		Caches: []cachearchive.Cache{{Key: "deps-protected", Paths: []string{"vendor/"},
			Sources: []cachearchive.Source{{Key: "deps-protected", URL: url}}, Upload: &cachearchive.Upload{URL: url}}}}
	body, err := json.Marshal(req)
	require.NoError(t, err)

	run := func(cmd string, args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := exitCode(runHelperCache(context.Background(), cmd, append([]string{"--builds-root", root}, args...),
			bytes.NewReader(body), &stdout, &stderr))
		return code, stdout.String(), stderr.String()
	}
	code, out, _ := run("cache-archive")
	assert.Equal(t, ExitOK, code)
	assert.Contains(t, out, "Created cache")

	require.NoError(t, os.RemoveAll(filepath.Join(dir, "vendor")))
	code, out, _ = run("cache-extract")
	assert.Equal(t, ExitOK, code)
	assert.Contains(t, out, "Successfully extracted cache")
	b, err := os.ReadFile(filepath.Join(dir, "vendor", "x"))
	require.NoError(t, err)
	assert.Equal(t, "cached", string(b))

	code, _, _ = run("cache-extract", "extra")
	assert.Equal(t, ExitUsage, code)

	var stdout, stderr bytes.Buffer
	code = exitCode(runHelperCache(context.Background(), "cache-extract", nil, strings.NewReader(string(body)), &stdout, &stderr))
	assert.Equal(t, ExitError, code, "the default root is /builds, which the temporary dir is not below")
	assert.NotContains(t, stderr.String()+stdout.String(), "X-Amz-Signature")
}

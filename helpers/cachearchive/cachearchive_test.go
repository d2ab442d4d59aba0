package cachearchive

import (
	"bytes"
	"context"
	"crypto/rand"
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
)

// store is a stand-in for S3's object API behind signed URLs: GET and PUT
// of a path, 404 for a missing object. Puts counts uploads.
type store struct {
	mu      sync.Mutex
	objects map[string][]byte
	puts    int
}

func newStore(t *testing.T) (*store, *httptest.Server) {
	s := &store{objects: map[string][]byte{}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		b, ok := s.objects[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "<Error><Code>NoSuchKey</Code></Error>")
			return
		}
		w.Write(b)
	case http.MethodPut:
		if r.ContentLength < 0 {
			w.WriteHeader(http.StatusLengthRequired)
			return
		}
		b, _ := io.ReadAll(r.Body)
		s.objects[r.URL.Path] = b
		s.puts++
	}
}

func (s *store) uploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.puts
}

const signature = "?X-Amz-Credential=AKIAEXAMPLE%2F20260101&X-Amz-Signature=feedface"

// job is a builds directory with a project and the helper's state dir.
type job struct{ root, dir, state string }

func newJob(t *testing.T) job {
	root := t.TempDir()
	j := job{root: root, dir: filepath.Join(root, "group", "project"), state: filepath.Join(root, ".kuberunner-cache")}
	require.NoError(t, os.MkdirAll(j.dir, 0o755))
	return j
}

func (j job) write(t *testing.T, name, content string) {
	p := filepath.Join(j.dir, filepath.FromSlash(name))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
}

func (j job) read(t *testing.T, name string) string {
	b, err := os.ReadFile(filepath.Join(j.dir, filepath.FromSlash(name)))
	require.NoError(t, err)
	return string(b)
}

func (j job) request(caches ...Cache) Request {
	return Request{Dir: j.dir, StateDir: j.state, TimeoutSeconds: 30, Caches: caches}
}

func archiveTo(t *testing.T, j job, url, key string, paths ...string) string {
	var out bytes.Buffer
	req := j.request(Cache{Key: key, Paths: paths, Upload: &Upload{URL: url}})
	require.NoError(t, Archive(context.Background(), req, Options{Out: &out}))
	return out.String()
}

func extractFrom(t *testing.T, j job, key string, sources ...Source) string {
	var out bytes.Buffer
	req := j.request(Cache{Key: key, Paths: []string{"vendor/"}, Sources: sources})
	require.NoError(t, Extract(context.Background(), req, Options{Out: &out}))
	return out.String()
}

func TestRoundTripAndFallback(t *testing.T) {
	st, srv := newStore(t)
	first := newJob(t)
	first.write(t, "vendor/x", strings.Repeat("x", 100000))
	first.write(t, "vendor/sub/y", "y")
	first.write(t, "other", "not cached")
	out := archiveTo(t, first, srv.URL+"/bucket/deps"+signature, "deps", "vendor/")
	assert.Contains(t, out, "Creating cache deps...")
	assert.Contains(t, out, "Uploading cache to "+strings.TrimPrefix(srv.URL, "http://")+"/bucket/deps")
	assert.Contains(t, out, "Created cache")
	assert.Equal(t, 1, st.uploads())

	second := newJob(t)
	out = extractFrom(t, second, "feature", Source{"feature", srv.URL + "/bucket/feature" + signature}, Source{"deps", srv.URL + "/bucket/deps" + signature})
	assert.Contains(t, out, "Checking cache for feature...\nNo cache found for feature\nChecking cache for deps...")
	assert.Contains(t, out, "Successfully extracted cache")
	assert.Equal(t, strings.Repeat("x", 100000), second.read(t, "vendor/x"))
	assert.Equal(t, "y", second.read(t, "vendor/sub/y"))
	assert.NoFileExists(t, filepath.Join(second.dir, "other"))
	for _, o := range []string{out} {
		assert.NotContains(t, o, "X-Amz")
		assert.NotContains(t, o, "AKIAEXAMPLE")
	}
}

func TestUnchangedIsNotUploaded(t *testing.T) {
	st, srv := newStore(t)
	url := srv.URL + "/bucket/deps" + signature
	first := newJob(t)
	first.write(t, "vendor/x", "content")
	archiveTo(t, first, url, "deps", "vendor/")

	j := newJob(t)
	extractFrom(t, j, "deps", Source{"deps", url})
	out := archiveTo(t, j, url, "deps", "vendor/")
	assert.Contains(t, out, "Archive is up to date!")
	assert.Equal(t, 1, st.uploads())

	// Extracted under a fallback key, saved under its own: uploaded.
	archiveTo(t, j, srv.URL+"/bucket/feature"+signature, "feature", "vendor/")
	assert.Equal(t, 2, st.uploads())

	j.write(t, "vendor/x", "changed")
	out = archiveTo(t, j, url, "deps", "vendor/")
	assert.Contains(t, out, "Created cache")
	assert.Equal(t, 3, st.uploads())
}

func TestStoreDownIsAWarningNamingTheKey(t *testing.T) {
	_, srv := newStore(t)
	url := srv.URL + "/bucket/deps" + signature
	srv.Close()
	j := newJob(t)
	j.write(t, "vendor/x", "content")
	out := extractFrom(t, j, "deps", Source{"deps", url})
	assert.Contains(t, out, "WARNING: Failed to extract cache deps: GET 127.0.0.1:")
	assert.Contains(t, out, "connection refused")
	out += archiveTo(t, j, url, "deps", "vendor/")
	assert.Contains(t, out, "WARNING: Failed to create cache deps: PUT 127.0.0.1:")
	assert.NotContains(t, out, "X-Amz")
	assert.NotContains(t, out, "AKIAEXAMPLE")
}

func TestStatusErrorShowsCodeNotBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, "<Error><Code>SignatureDoesNotMatch</Code><Message>The signature does not match</Message>"+
			"<AWSAccessKeyId>AKIAEXAMPLE</AWSAccessKeyId></Error>")
	}))
	defer srv.Close()
	j := newJob(t)
	out := extractFrom(t, j, "deps", Source{"deps", srv.URL + "/b/deps" + signature})
	assert.Contains(t, out, "WARNING: Failed to extract cache deps: GET ")
	assert.Contains(t, out, "403 Forbidden: SignatureDoesNotMatch: The signature does not match")
	assert.NotContains(t, out, "AKIAEXAMPLE")
}

func TestMaxUploadedArchiveSize(t *testing.T) {
	st, srv := newStore(t)
	j := newJob(t)
	big := make([]byte, 64<<10)
	_, _ = rand.Read(big)
	j.write(t, "vendor/big", string(big))
	var out bytes.Buffer
	req := j.request(Cache{Key: "deps", Paths: []string{"vendor/"}, Upload: &Upload{URL: srv.URL + "/b/deps", MaxSize: 1024}})
	require.NoError(t, Archive(context.Background(), req, Options{Out: &out}))
	assert.Contains(t, out.String(), "WARNING: Failed to create cache deps: the archive is larger than MaxUploadedArchiveSize (1.0 KiB)")
	assert.Zero(t, st.uploads())
}

func TestPathsOutsideAreRefusedByName(t *testing.T) {
	_, srv := newStore(t)
	j := newJob(t)
	j.write(t, "vendor/x", "x")
	require.NoError(t, os.Symlink("/etc", filepath.Join(j.dir, "vendor", "etc")))
	out := archiveTo(t, j, srv.URL+"/b/deps", "deps", "vendor/", "../../secret")
	assert.Contains(t, out, "WARNING: Cache deps: ../../secret")
	assert.Contains(t, out, "WARNING: Cache deps: vendor/etc")
	assert.Contains(t, out, "Created cache")
}

func TestRequestValidation(t *testing.T) {
	ok := Request{Dir: "/builds/g/p", StateDir: "/builds/.kuberunner-cache", TimeoutSeconds: 60,
		Caches: []Cache{{Key: "k", Sources: []Source{{"k", "https://s3/b/k?sig"}}, Upload: &Upload{URL: "http://s3/b/k"}}}}
	require.NoError(t, ok.Validate("/builds"))
	for _, tt := range []struct {
		name  string
		edit  func(*Request)
		field string
	}{
		{"dir outside the root", func(r *Request) { r.Dir = "/etc" }, "dir"},
		{"dir not clean", func(r *Request) { r.Dir = "/builds/g/../p" }, "dir"},
		{"state inside the project", func(r *Request) { r.StateDir = "/builds/g/p/.cache" }, "state_dir"},
		{"no timeout", func(r *Request) { r.TimeoutSeconds = 0 }, "timeout_seconds"},
		{"a source without a URL", func(r *Request) { r.Caches[0].Sources[0].URL = "ftp://x" }, "sources"},
		{"a negative size", func(r *Request) { r.Caches[0].Upload.MaxSize = -1 }, "upload"},
		{"no key", func(r *Request) { r.Caches[0].Key = "" }, "key"},
		{"a bad compression", func(r *Request) { r.Compression = "max" }, "compression"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			r.Caches = []Cache{{Key: "k", Sources: []Source{{"k", "https://s3/b/k?sig"}}, Upload: &Upload{URL: "http://s3/b/k"}}}
			tt.edit(&r)
			var re *RequestError
			require.ErrorAs(t, r.Validate("/builds"), &re)
			assert.Equal(t, tt.field, re.Field)
			assert.NotContains(t, re.Error(), "sig")
		})
	}
}

func TestReadRequestRefusesUnknownFields(t *testing.T) {
	_, err := ReadRequest(strings.NewReader(`{"dir": "/builds/p", "secret_key": "x"}`), "/builds")
	assert.ErrorContains(t, err, "unknown field")
}

// The script may leave a symlink where the helper keeps its files between
// its two commands; the helper replaces it, never writes through it.
func TestStateFilesAreNeverWrittenThrough(t *testing.T) {
	_, srv := newStore(t)
	j := newJob(t)
	j.write(t, "vendor/x", "x")
	victim := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.WriteFile(victim, []byte("keep"), 0o644))
	require.NoError(t, os.MkdirAll(j.state, 0o700))
	for _, name := range []string{"upload.zip", "download.zip", "state.json.tmp"} {
		require.NoError(t, os.Symlink(victim, filepath.Join(j.state, name)))
	}
	url := srv.URL + "/b/deps"
	out := archiveTo(t, j, url, "deps", "vendor/")
	require.Contains(t, out, "Created cache")
	extractFrom(t, j, "deps", Source{"deps", url})
	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep", string(b))
}

package s3

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/cache"
	"kuberunner/common/config"
	"kuberunner/helpers/cachearchive"
	"kuberunner/test/localcluster"
)

// standaloneS3 runs the MinIO the local cluster uses, on its own; the test
// skips when build-minio.sh has not built it on this machine.
func standaloneS3(t testing.TB) localcluster.S3Info {
	bin, ok := localcluster.StandaloneMinio()
	if !ok {
		t.Skip("no MinIO binary (make cluster-up builds it: hack/localcluster/build-minio.sh)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := localcluster.RunStandaloneS3(ctx, bin, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	return s.Info
}

func signerFor(t testing.TB, info localcluster.S3Info) *Signer {
	s, err := New(&config.CacheS3Config{ServerAddress: info.Endpoint, Insecure: true, BucketName: info.Bucket,
		AccessKey: info.AccessKey, SecretKey: info.SecretKey})
	require.NoError(t, err)
	return s
}

// The whole path against a real S3 server: URLs signed by the runner's
// signer, the archive made, uploaded, found under the runner's prefix,
// downloaded and unpacked by the helper's code; a missing key is a miss.
func TestRealS3RoundTrip(t *testing.T) {
	info := standaloneS3(t)
	signer := signerFor(t, info)
	namer := cache.Namer{Prefix: "ci", Runner: "abcdefghi", ProjectID: 7}
	ctx := context.Background()
	sign := func(f func(context.Context, string) (string, error), key string) string {
		u, err := f(ctx, namer.Object(key))
		require.NoError(t, err)
		return u
	}
	get := func(ctx context.Context, o string) (string, error) {
		u, err := signer.GetURL(ctx, o)
		return u.String(), err
	}
	put := func(ctx context.Context, o string) (string, error) {
		u, err := signer.PutURL(ctx, o)
		return u.String(), err
	}

	root := t.TempDir()
	dir := filepath.Join(root, "g", "p")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "vendor"), 0o755))
	content := bytes.Repeat([]byte("0123456789"), 500_000)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vendor", "x"), content, 0o644))
	req := cachearchive.Request{Dir: dir, StateDir: filepath.Join(root, ".state"), TimeoutSeconds: 60}
	var out bytes.Buffer
	req.Caches = []cachearchive.Cache{{Key: "deps-protected", Paths: []string{"vendor/"},
		Upload: &cachearchive.Upload{URL: sign(put, "deps-protected")}}}
	require.NoError(t, cachearchive.Archive(ctx, req, cachearchive.Options{Out: &out}))
	require.Contains(t, out.String(), "Created cache", out.String())

	client, err := info.Client()
	require.NoError(t, err)
	st, err := client.StatObject(ctx, info.Bucket, "ci/runner/abcdefghi/project/7/deps-protected", minio.StatObjectOptions{})
	require.NoError(t, err)
	assert.Positive(t, st.Size)

	require.NoError(t, os.RemoveAll(filepath.Join(dir, "vendor")))
	out.Reset()
	req.Caches = []cachearchive.Cache{{Key: "feature-protected", Paths: []string{"vendor/"}, Sources: []cachearchive.Source{
		{Key: "feature-protected", URL: sign(get, "feature-protected")}, {Key: "deps-protected", URL: sign(get, "deps-protected")}}}}
	require.NoError(t, cachearchive.Extract(ctx, req, cachearchive.Options{Out: &out}))
	assert.Contains(t, out.String(), "No cache found for feature-protected\nChecking cache for deps-protected...")
	assert.Contains(t, out.String(), "Successfully extracted cache")
	got, err := os.ReadFile(filepath.Join(dir, "vendor", "x"))
	require.NoError(t, err)
	assert.Equal(t, content, got)
	assert.False(t, strings.Contains(out.String(), info.AccessKey) || strings.Contains(out.String(), info.SecretKey))
}

// ServerSideEncryption on a real S3 server with a KMS: the helper's upload
// sends the headers the URL was signed with, S3 stores the object
// encrypted as asked, and the cache comes back whole. An upload without
// the headers is refused: the signature covers them.
func TestRealS3ServerSideEncryption(t *testing.T) {
	info := standaloneS3(t)
	client, err := info.Client()
	require.NoError(t, err)
	tests := []struct{ sse, keyID, stored string }{
		{"S3", "", "AES256"},
		{"kms", localcluster.S3KMSKey, "aws:kms"},
	}
	for _, tt := range tests {
		t.Run(tt.sse, func(t *testing.T) {
			ctx := context.Background()
			signer, err := New(&config.CacheS3Config{ServerAddress: info.Endpoint, Insecure: true, BucketName: info.Bucket,
				AccessKey: info.AccessKey, SecretKey: info.SecretKey, ServerSideEncryption: tt.sse, ServerSideEncryptionKeyID: tt.keyID})
			require.NoError(t, err)
			object := "sse/" + tt.sse
			put, err := signer.PutURL(ctx, object)
			require.NoError(t, err)
			headers := map[string]string{}
			for k, v := range signer.UploadHeaders() {
				headers[k] = v[0]
			}
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), []byte("cached "+tt.sse), 0o644))
			req := cachearchive.Request{Dir: dir, StateDir: filepath.Join(t.TempDir(), ".state"), TimeoutSeconds: 60,
				Caches: []cachearchive.Cache{{Key: "k", Paths: []string{"f"}, Upload: &cachearchive.Upload{URL: put.String()}}}}
			var out bytes.Buffer
			require.NoError(t, cachearchive.Archive(ctx, req, cachearchive.Options{Out: &out}))
			assert.Contains(t, out.String(), "AccessDenied", "without the headers")

			req.Caches[0].Upload.Headers = headers
			req.StateDir = filepath.Join(t.TempDir(), ".state")
			out.Reset()
			require.NoError(t, cachearchive.Archive(ctx, req, cachearchive.Options{Out: &out}))
			require.Contains(t, out.String(), "Created cache", out.String())
			st, err := client.StatObject(ctx, info.Bucket, object, minio.StatObjectOptions{})
			require.NoError(t, err)
			assert.Equal(t, tt.stored, st.Metadata.Get("X-Amz-Server-Side-Encryption"))

			get, err := signer.GetURL(ctx, object)
			require.NoError(t, err)
			require.NoError(t, os.Remove(filepath.Join(dir, "f")))
			req.Caches = []cachearchive.Cache{{Key: "k", Paths: []string{"f"}, Sources: []cachearchive.Source{{Key: "k", URL: get.String()}}}}
			require.NoError(t, cachearchive.Extract(ctx, req, cachearchive.Options{Out: &out}))
			got, err := os.ReadFile(filepath.Join(dir, "f"))
			require.NoError(t, err)
			assert.Equal(t, "cached "+tt.sse, string(got))
		})
	}
}

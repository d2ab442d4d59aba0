package s3

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
)

// Signing with static keys talks to no server: the region is never looked
// up, so a job whose S3 is down still gets its URLs (and a warning from
// the helper, not from the runner).
func TestSignsOffline(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { requests.Add(1) }))
	defer srv.Close()
	s, err := New(&config.CacheS3Config{ServerAddress: strings.TrimPrefix(srv.URL, "http://"), Insecure: true,
		BucketName: "runner-cache", AccessKey: "AKIAEXAMPLE", SecretKey: "secret-key-value"})
	require.NoError(t, err)
	get, err := s.GetURL(context.Background(), "runner/abc/project/7/deps-protected")
	require.NoError(t, err)
	put, err := s.PutURL(context.Background(), "runner/abc/project/7/deps-protected")
	require.NoError(t, err)
	assert.Zero(t, requests.Load())

	for _, u := range []string{get.String(), put.String()} {
		assert.True(t, strings.HasPrefix(u, srv.URL+"/runner-cache/runner/abc/project/7/deps-protected?"), u)
		assert.Contains(t, u, "X-Amz-Signature=")
		assert.Contains(t, u, "X-Amz-Expires=3600")
		assert.Contains(t, u, "us-east-1")
		assert.NotContains(t, u, "secret-key-value")
	}
}

func TestSchemeAndDefaults(t *testing.T) {
	s, err := New(&config.CacheS3Config{BucketName: "bucket", BucketLocation: "eu-west-1", AccessKey: "a", SecretKey: "s",
		AuthenticationType: config.S3AuthAccessKey})
	require.NoError(t, err)
	u, err := s.GetURL(context.Background(), "o")
	require.NoError(t, err)
	assert.Equal(t, "https", u.Scheme)
	assert.True(t, strings.HasSuffix(u.Host, ".amazonaws.com"), u.Host)
	assert.Contains(t, u.RawQuery, "eu-west-1")
}

func TestNeedsABucket(t *testing.T) {
	_, err := New(&config.CacheS3Config{})
	assert.ErrorContains(t, err, "BucketName")
	_, err = New(nil)
	assert.Error(t, err)
}

// The endpoint keys: where the bucket goes (PathStyle) and which AWS host
// a URL names (DualStack, on unless turned off; Accelerate).
func TestEndpointKeys(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name     string
		c        config.CacheS3Config
		wantHost string
		wantPath string
	}{
		{"a custom server, unset: path style", config.CacheS3Config{ServerAddress: "minio.example.com:9000"},
			"minio.example.com:9000", "/bucket/o"},
		{"a custom server, PathStyle false", config.CacheS3Config{ServerAddress: "minio.example.com:9000", PathStyle: &no},
			"bucket.minio.example.com:9000", "/o"},
		{"AWS, dual stack by default", config.CacheS3Config{BucketLocation: "eu-west-1"},
			"bucket.s3.dualstack.eu-west-1.amazonaws.com", "/o"},
		{"AWS, DualStack false", config.CacheS3Config{BucketLocation: "eu-west-1", DualStack: &no},
			"bucket.s3.eu-west-1.amazonaws.com", "/o"},
		{"AWS, PathStyle true", config.CacheS3Config{BucketLocation: "eu-west-1", DualStack: &no, PathStyle: &yes},
			"s3.eu-west-1.amazonaws.com", "/bucket/o"},
		{"AWS, Accelerate", config.CacheS3Config{BucketLocation: "eu-west-1", Accelerate: true},
			"bucket.s3-accelerate.dualstack.amazonaws.com", "/o"},
		{"AWS, Accelerate without DualStack", config.CacheS3Config{BucketLocation: "eu-west-1", Accelerate: true, DualStack: &no},
			"bucket.s3-accelerate.amazonaws.com", "/o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.BucketName, c.AccessKey, c.SecretKey, c.AuthenticationType = "bucket", "a", "s", config.S3AuthAccessKey
			s, err := New(&c)
			require.NoError(t, err)
			u, err := s.GetURL(context.Background(), "o")
			require.NoError(t, err)
			assert.Equal(t, tt.wantHost, u.Host)
			assert.Equal(t, tt.wantPath, u.Path)
		})
	}
}

// ServerSideEncryption becomes upload headers that the PUT URL's
// signature covers; none without it.
func TestServerSideEncryptionHeaders(t *testing.T) {
	tests := []struct {
		sse, keyID string
		want       http.Header
	}{
		{"", "", nil},
		{"s3", "", http.Header{"X-Amz-Server-Side-Encryption": {"AES256"}}},
		{"KMS", "", http.Header{"X-Amz-Server-Side-Encryption": {"aws:kms"}}},
		{"KMS", "alias/ci", http.Header{"X-Amz-Server-Side-Encryption": {"aws:kms"}, "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": {"alias/ci"}}},
		{"dsse-kms", "arn:aws:kms:eu-west-1:1:key/k", http.Header{"X-Amz-Server-Side-Encryption": {"aws:kms:dsse"},
			"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": {"arn:aws:kms:eu-west-1:1:key/k"}}},
	}
	for _, tt := range tests {
		t.Run(tt.sse+" "+tt.keyID, func(t *testing.T) {
			s, err := New(&config.CacheS3Config{ServerAddress: "minio:9000", BucketName: "bkt", AccessKey: "a", SecretKey: "s",
				ServerSideEncryption: tt.sse, ServerSideEncryptionKeyID: tt.keyID})
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.UploadHeaders())
			put, err := s.PutURL(context.Background(), "o")
			require.NoError(t, err)
			signed := put.Query().Get("X-Amz-SignedHeaders")
			for k := range tt.want {
				assert.Contains(t, signed, strings.ToLower(k))
			}
		})
	}
}

// A session token goes with the static keys into the signed URL.
func TestSessionToken(t *testing.T) {
	s, err := New(&config.CacheS3Config{ServerAddress: "minio:9000", BucketName: "bkt", AccessKey: "a", SecretKey: "s", SessionToken: "sess"})
	require.NoError(t, err)
	u, err := s.GetURL(context.Background(), "o")
	require.NoError(t, err)
	assert.Equal(t, "sess", u.Query().Get("X-Amz-Security-Token"))
}

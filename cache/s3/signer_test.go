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

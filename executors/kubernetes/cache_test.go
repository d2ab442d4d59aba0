package kubernetes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/cache"
	"kuberunner/cache/s3"
	"kuberunner/common"
	"kuberunner/common/buildlog"
	"kuberunner/common/config"
	"kuberunner/executors"
)

const cacheRunnerToken = "glrt-abcdefghi0123456789xyz"

func cacheRunner(c *config.CacheConfig) *config.RunnerConfig {
	return &config.RunnerConfig{Token: cacheRunnerToken, Cache: c}
}

var s3Cache = &config.CacheConfig{Type: config.CacheTypeS3, Path: "ci", S3: &config.CacheS3Config{
	ServerAddress: "10.88.0.1:9310", Insecure: true, BucketName: "runner-cache", AccessKey: "AKIATEST", SecretKey: "secret-key-value"}}

func cacheJob(entries ...common.JobCache) *common.Job {
	return &common.Job{JobInfo: common.JobInfo{Name: "build", ProjectID: 7}, GitInfo: common.GitInfo{Ref: "main"}, Cache: entries}
}

func TestNewCachePlan(t *testing.T) {
	deps := common.JobCache{Key: "deps", Paths: []string{"vendor/"}}
	tests := []struct {
		name     string
		job      *common.Job
		runner   *config.RunnerConfig
		vars     common.JobVariables
		entries  int
		warnings []string
		check    func(t *testing.T, p *cachePlan)
	}{
		{name: "no cache, no plan", job: cacheJob(), runner: cacheRunner(s3Cache)},
		{name: "no store: a warning", job: cacheJob(deps), runner: cacheRunner(nil),
			warnings: []string{"This job defines a cache, but the runner has no [runners.cache] store"}},
		{name: "an empty [runners.cache] is no store", job: cacheJob(deps), runner: cacheRunner(&config.CacheConfig{}),
			warnings: []string{"no [runners.cache] store"}},
		{name: "a token too short to name the runner", job: cacheJob(deps), runner: &config.RunnerConfig{Token: "short", Cache: s3Cache},
			warnings: []string{"too short to name the runner's part"}},
		{name: "s3", job: cacheJob(deps), runner: cacheRunner(s3Cache), entries: 1, check: func(t *testing.T, p *cachePlan) {
			assert.Equal(t, cache.Namer{Prefix: "ci", Runner: "abcdefghi", ProjectID: 7}, p.namer)
			assert.Equal(t, "deps-non_protected", p.entries[0].Key)
			assert.Equal(t, 600, p.timeout)
		}},
		{name: "variables", job: cacheJob(deps), runner: cacheRunner(s3Cache), entries: 1,
			vars: common.JobVariables{{Key: "CACHE_REQUEST_TIMEOUT", Value: "3"}, {Key: "CACHE_COMPRESSION_LEVEL", Value: "fastest"},
				{Key: "CACHE_FALLBACK_KEY", Value: "main"}},
			check: func(t *testing.T, p *cachePlan) {
				assert.Equal(t, 180, p.timeout)
				assert.Equal(t, "fastest", string(p.compression))
				assert.Equal(t, []string{"deps-non_protected", "main-non_protected"}, p.entries[0].Sources)
			}},
		{name: "bad variables are warnings", job: cacheJob(deps), runner: cacheRunner(s3Cache), entries: 1,
			vars:     common.JobVariables{{Key: "CACHE_REQUEST_TIMEOUT", Value: "0"}, {Key: "CACHE_COMPRESSION_LEVEL", Value: "max"}},
			warnings: []string{`CACHE_REQUEST_TIMEOUT "0"`, `CACHE_COMPRESSION_LEVEL "max"`}},
		{name: "a bad key is a warning naming it", job: cacheJob(common.JobCache{Key: "../x", Paths: []string{"a"}}), runner: cacheRunner(s3Cache),
			warnings: []string{`cache key "../x"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newCachePlan(tt.job, tt.runner, tt.vars)
			if len(tt.job.Cache) == 0 {
				assert.Nil(t, p)
				return
			}
			require.NotNil(t, p)
			assert.Len(t, p.entries, tt.entries)
			require.Len(t, p.warnings, len(tt.warnings), "%q", p.warnings)
			for i, w := range tt.warnings {
				assert.Contains(t, p.warnings[i], w)
			}
			for _, w := range p.warnings {
				assert.NotContains(t, w, "secret-key-value")
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

func TestCacheable(t *testing.T) {
	script := &common.BuildError{FailureReason: common.ScriptFailure, Inner: errors.New("exit 1")}
	for _, tt := range []struct {
		name   string
		result error
		want   bool
	}{
		{"success", nil, true},
		{"script failure", script, true},
		{"canceled", &common.BuildError{FailureReason: common.ScriptFailure, Inner: executors.ErrCanceled}, false},
		{"system failure", systemFailure(errors.New("pod gone")), false},
	} {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, cacheable(tt.result)) })
	}
}

func TestLogLines(t *testing.T) {
	var buf bytes.Buffer
	log := buildlog.New(&buf, buildlog.Format("plain"), nil)
	l := &logLines{log: log}
	fmt.Fprint(l, "Checking cache for deps-protected...\nWARNING: Failed to extract ")
	fmt.Fprint(l, "cache deps-protected: GET host/b/o: connection refused\nSuccessfully extracted cache")
	l.flush()
	out := buf.String()
	assert.Contains(t, out, "Checking cache for deps-protected...\n")
	assert.Contains(t, out, "WARNING: Failed to extract cache deps-protected: GET host/b/o: connection refused")
	assert.True(t, strings.HasSuffix(out, "Successfully extracted cache\n"), out)
}

// The signer gets object names under the runner's prefix.
func TestSignNamesTheObject(t *testing.T) {
	var got []string
	p := &cachePlan{namer: cache.Namer{Runner: "abcdefghi", ProjectID: 7}}
	var buf bytes.Buffer
	log := buildlog.New(&buf, buildlog.Format("plain"), nil)
	sign := func(_ context.Context, object string) (*url.URL, error) {
		got = append(got, object)
		if strings.HasSuffix(object, "bad-non_protected") {
			return nil, errors.New("no credentials")
		}
		return url.Parse("http://s3/b/" + object + "?X-Amz-Signature=x")
	}
	u, ok := p.sign(context.Background(), log, sign, "deps-non_protected")
	assert.True(t, ok)
	assert.Equal(t, "http://s3/b/runner/abcdefghi/project/7/deps-non_protected?X-Amz-Signature=x", u)
	_, ok = p.sign(context.Background(), log, sign, "bad-non_protected")
	assert.False(t, ok)
	assert.Contains(t, buf.String(), "WARNING: Cache bad-non_protected: the URL could not be signed: no credentials")
	assert.Equal(t, []string{"runner/abcdefghi/project/7/deps-non_protected", "runner/abcdefghi/project/7/bad-non_protected"}, got)
}

// The server-side encryption of [runners.cache.s3] reaches the helper's
// upload as headers, and only when configured.
func TestUploadHeaders(t *testing.T) {
	for _, tt := range []struct {
		sse  string
		want map[string]string
	}{
		{"", map[string]string{}},
		{"KMS", map[string]string{"X-Amz-Server-Side-Encryption": "aws:kms", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": "alias/ci"}},
	} {
		t.Run(tt.sse, func(t *testing.T) {
			keyID := map[string]string{"KMS": "alias/ci"}[tt.sse]
			signer, err := s3.New(&config.CacheS3Config{ServerAddress: "minio:9000", BucketName: "bkt", AccessKey: "a", SecretKey: "s",
				ServerSideEncryption: tt.sse, ServerSideEncryptionKeyID: keyID})
			require.NoError(t, err)
			p := &cachePlan{signer: signer}
			assert.Equal(t, tt.want, p.uploadHeaders())
		})
	}
}

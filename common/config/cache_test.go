package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCacheConfig(t *testing.T) {
	const head = "[[runners]]\n[runners.cache]\n"
	tests := []struct {
		name string
		src  string
		want []string // full messages; nil: loads
	}{
		{"no table", "[[runners]]\n", nil},
		{"an empty table, as register writes it", head + "[runners.cache.s3]\n[runners.cache.gcs]\n[runners.cache.azure]\n", nil},
		{"s3 with keys", head + "Type = \"s3\"\nPath = \"ci/cache\"\nShared = true\nMaxUploadedArchiveSize = 1024\n" +
			"[runners.cache.s3]\nServerAddress = \"minio:9000\"\nBucketName = \"b\"\nAccessKey = \"AK\"\nSecretKey = \"SK\"\nInsecure = true\n", nil},
		{"s3 with the pod's role", head + "Type = \"s3\"\n[runners.cache.s3]\nBucketName = \"b\"\n", nil},
		{"gcs is not implemented", head + "Type = \"gcs\"\n[runners.cache.gcs]\nBucketName = \"b\"\nPrivateKey = \"pk\"\n",
			[]string{`config.toml:3: runners[0].cache.Type: cache type "gcs" is not implemented yet by kuberunner; its table loads, but a job would have no cache; allowed: s3 (or "" for no cache)`}},
		{"azure is not implemented", head + "Type = \"azure\"\n[runners.cache.azure]\nAccountName = \"a\"\nAccountKey = \"k\"\n",
			[]string{`config.toml:3: runners[0].cache.Type: cache type "azure" is not implemented yet by kuberunner; its table loads, but a job would have no cache; allowed: s3 (or "" for no cache)`}},
		{"unknown type", head + "Type = \"s4\"\n",
			[]string{`config.toml:3: runners[0].cache.Type: "s4" is not one of the allowed values; allowed: s3, gcs, azure (did you mean "s3"?)`}},
		{"s3 without its table", head + "Type = \"s3\"\n",
			[]string{`config.toml:3: runners[0].cache.Type: cache type "s3" needs a [runners.cache.s3] table; allowed: a [runners.cache.s3] table with at least BucketName`}},
		{"no bucket", head + "Type = \"s3\"\n[runners.cache.s3]\nServerAddress = \"minio:9000\"\n",
			[]string{`config.toml:4: runners[0].cache.s3.BucketName: is required for the s3 cache; allowed: the name of an existing bucket`}},
		{"a scheme in the address", head + "Type = \"s3\"\n[runners.cache.s3]\nBucketName = \"b\"\nServerAddress = \"https://minio:9000\"\n",
			[]string{`config.toml:6: runners[0].cache.s3.ServerAddress: "https://minio:9000" is not host[:port]; allowed: host[:port] without a scheme or a path, such as "s3.amazonaws.com" or "minio.example.com:9000" (Insecure = true for http)`}},
		{"access-key without the secret", head + "Type = \"s3\"\n[runners.cache.s3]\nBucketName = \"b\"\nAuthenticationType = \"access-key\"\nAccessKey = \"AK\"\n",
			[]string{`config.toml:6: runners[0].cache.s3.AuthenticationType: "access-key" needs both AccessKey and SecretKey; allowed: AccessKey and SecretKey set, or AuthenticationType = "iam"`}},
		{"unknown authentication", head + "Type = \"s3\"\n[runners.cache.s3]\nBucketName = \"b\"\nAuthenticationType = \"iam-role\"\n",
			[]string{`config.toml:6: runners[0].cache.s3.AuthenticationType: "iam-role" is not one of the allowed values; allowed: access-key, iam`}},
		{"a path that climbs", head + "Type = \"s3\"\nPath = \"ci/../other\"\n[runners.cache.s3]\nBucketName = \"b\"\n",
			[]string{`config.toml:4: runners[0].cache.Path: "ci/../other" is not a plain prefix; allowed: slash-separated names without "", "." or ".." parts, such as "ci/cache"`}},
		{"server-side encryption by KMS", head + "Type = \"s3\"\n[runners.cache.s3]\nBucketName = \"b\"\nServerSideEncryption = \"kms\"\nServerSideEncryptionKeyID = \"alias/ci\"\n", nil},
		{"an unknown encryption", head + "Type = \"s3\"\n[runners.cache.s3]\nBucketName = \"b\"\nServerSideEncryption = \"AES256\"\n",
			[]string{`config.toml:6: runners[0].cache.s3.ServerSideEncryption: "AES256" is not one of the allowed values; allowed: S3, KMS, DSSE-KMS`}},
		{"a KMS key without KMS", head + "Type = \"s3\"\n[runners.cache.s3]\nBucketName = \"b\"\nServerSideEncryption = \"S3\"\nServerSideEncryptionKeyID = \"alias/ci\"\n",
			[]string{`config.toml:7: runners[0].cache.s3.ServerSideEncryptionKeyID: "alias/ci" is a KMS key, which needs ServerSideEncryption "KMS" or "DSSE-KMS", not "S3"; allowed: ServerSideEncryption = "KMS" or "DSSE-KMS" with it, or no ServerSideEncryptionKeyID`}},
		{"too large an archive", head + "MaxUploadedArchiveSize = 6000000000\n",
			[]string{`config.toml:3: runners[0].cache.MaxUploadedArchiveSize: 6000000000 is out of range; allowed: 0 to 5368709120 bytes (0 means no limit)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse("config.toml", []byte(tt.src))
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			var got []string
			for _, ce := range configErrors(t, err) {
				got = append(got, ce.Error())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// GitLab Runner's [runners.cache.s3] keys load without a warning, but
// for the role keys, which kuberunner does not implement; the session
// token is never shown.
func TestCacheS3KeysOfGitLabRunner(t *testing.T) {
	src := "[[runners]]\n[runners.cache]\nType = \"s3\"\n[runners.cache.s3]\nServerAddress = \"s3.amazonaws.com\"\n" +
		"AccessKey = \"AK\"\nSecretKey = \"SK\"\nSessionToken = \"session-value\"\nBucketName = \"b\"\nBucketLocation = \"eu-west-1\"\n" +
		"Insecure = false\nAuthenticationType = \"access-key\"\nServerSideEncryption = \"DSSE-KMS\"\nServerSideEncryptionKeyID = \"k\"\n" +
		"DualStack = false\nAccelerate = true\nPathStyle = true\nRoleARN = \"arn:aws:iam::1:role/r\"\n"
	cfg, warnings, err := Parse("config.toml", []byte(src))
	require.NoError(t, err)
	s3 := cfg.Runners[0].Cache.S3
	assert.Equal(t, "session-value", s3.SessionToken)
	assert.Equal(t, SSEDSSEKMS, s3.SSE())
	assert.False(t, s3.UsesDualStack())
	assert.True(t, s3.Accelerate)
	assert.True(t, *s3.PathStyle)
	require.Len(t, warnings, 1)
	assert.Equal(t, "runners[0].cache.s3.RoleARN", warnings[0].Key, warnings[0].String())
	_, _, err = Parse("config.toml", []byte(strings.Replace(src, `SessionToken = "session-value"`, `SessionToken = ["session-value"]`, 1)))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "session-value")
}

func TestCacheCredentialsNeverShown(t *testing.T) {
	src := "[[runners]]\n[runners.cache]\nType = \"s3\"\n[runners.cache.s3]\nBucketName = \"b\"\n" +
		"AccessKey = 12345\nSecretKey = [\"sk-value-9\"]\n[runners.cache.gcs]\nPrivateKey = 7\n[runners.cache.azure]\nAccountKey = 8\n"
	_, _, err := Parse("config.toml", []byte(src))
	require.Error(t, err)
	for _, s := range []string{"12345", "sk-value-9", "7\n", " 8"} {
		assert.NotContains(t, err.Error(), s)
	}
	assert.Contains(t, err.Error(), "runners[0].cache.s3.AccessKey")
	assert.Contains(t, err.Error(), "runners[0].cache.s3.SecretKey")
}

func TestS3AuthType(t *testing.T) {
	for _, tt := range []struct {
		name string
		s3   CacheS3Config
		want string
	}{
		{"all three set", CacheS3Config{ServerAddress: "h", AccessKey: "a", SecretKey: "s"}, S3AuthAccessKey},
		{"no address", CacheS3Config{AccessKey: "a", SecretKey: "s"}, S3AuthIAM},
		{"no keys", CacheS3Config{ServerAddress: "h"}, S3AuthIAM},
		{"explicit wins", CacheS3Config{AuthenticationType: S3AuthIAM, ServerAddress: "h", AccessKey: "a", SecretKey: "s"}, S3AuthIAM},
	} {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, tt.s3.AuthType()) })
	}
}

func TestObjectPrefix(t *testing.T) {
	for in, want := range map[string]string{"": "", "/ci/cache/": "ci/cache", "ci": "ci"} {
		assert.Equal(t, want, (&CacheConfig{Path: in}).ObjectPrefix(), in)
	}
}

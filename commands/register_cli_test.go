package commands

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common/config"
	"kuberunner/test/coordinator"
)

const operatorToken = "glrt-operator-script-token"

// clearRegisterEnv empties every variable register reads, so that the
// machine's environment cannot decide a case.
func clearRegisterEnv(t *testing.T) {
	for _, v := range []string{"CI_SERVER_URL", "CI_SERVER_TOKEN", "RUNNER_TOKEN", "KUBERUNNER_TOKEN", "RUNNER_NAME",
		"RUNNER_EXECUTOR", "REGISTER_NON_INTERACTIVE", "KUBERNETES_NAMESPACE", "KUBERNETES_PULL_POLICY", "KUBERNETES_IMAGE",
		"REGISTRATION_TOKEN", "RUNNER_LIMIT", "CLONE_URL", "CONFIG_FILE", config.EnvVar, "TEMPLATE_CONFIG_FILE", "KUBERNETES_HELPER_IMAGE"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	c := cacheTables(nil)
	names := append(append(sortedKeys(cacheStringFlags(c)), sortedKeys(cacheBoolFlags(c))...), cacheUnimplementedFlags...)
	for _, n := range names {
		t.Setenv(cacheEnv(n), "")
		os.Unsetenv(cacheEnv(n))
	}
}

// An operator's GitLab Runner script, with gitlab-runner replaced by
// kuberunner, registers against the coordinator; so does the same made
// only of environment variables.
func TestRegisterOperatorScript(t *testing.T) {
	coord := coordinator.New(t, operatorToken)
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{name: "flags", args: []string{"register", "--non-interactive", "--url", coord.URL, "--token", operatorToken,
			"--executor", "kubernetes", "--description", "ops-runner", "--kubernetes-namespace", "ci-jobs",
			"--kubernetes-pull-policy", "always", "--kubernetes-pull-policy", "if-not-present"}},
		{name: "environment variables", args: []string{"register"}, env: map[string]string{
			"REGISTER_NON_INTERACTIVE": "true", "CI_SERVER_URL": coord.URL, "CI_SERVER_TOKEN": operatorToken,
			"RUNNER_EXECUTOR": "kubernetes", "RUNNER_NAME": "ops-runner", "KUBERNETES_NAMESPACE": "ci-jobs",
			"KUBERNETES_PULL_POLICY": "always,if-not-present"}},
		{name: "RUNNER_TOKEN", args: []string{"register", "--url", coord.URL, "--name", "ops-runner",
			"--kubernetes-namespace", "ci-jobs"}, env: map[string]string{"RUNNER_TOKEN": operatorToken}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearRegisterEnv(t)
			path := filepath.Join(t.TempDir(), "config.toml")
			t.Setenv("CONFIG_FILE", path)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := Main(tt.args, &stdout, &stderr)
			require.Equal(t, ExitOK, code, stderr.String())
			assert.NotContains(t, stdout.String()+stderr.String(), operatorToken)

			cfg, _, err := config.Load(path)
			require.NoError(t, err)
			require.Len(t, cfg.Runners, 1)
			r := cfg.Runners[0]
			assert.Equal(t, "ops-runner", r.Name)
			assert.Equal(t, operatorToken, r.Token)
			assert.Equal(t, "ci-jobs", r.Kubernetes.Namespace)
			assert.Equal(t, `["always", "if-not-present"]`, fmt.Sprint(r.Kubernetes.PullPolicy))
		})
	}
}

// Each refused command line is a usage error that says what to do, and
// GitLab is never asked.
func TestRegisterRefusals(t *testing.T) {
	coord := coordinator.New(t, operatorToken)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"legacy registration token", []string{"--url", coord.URL, "--registration-token", "GR1348941abc"}, nil, "authentication token"},
		{"legacy registration token from the environment", []string{"--url", coord.URL}, map[string]string{"REGISTRATION_TOKEN": "GR1348941abc"}, "authentication token"},
		{"docker executor", []string{"--url", coord.URL, "--token", operatorToken, "--executor", "docker"}, nil, `--executor "docker": kuberunner runs jobs only with the "kubernetes" executor`},
		{"executor from the environment", []string{"--url", coord.URL, "--token", operatorToken}, map[string]string{"RUNNER_EXECUTOR": "shell"}, `--executor "shell"`},
		{"no token", []string{"--url", coord.URL}, nil, "--url and --token"},
		{"misspelt flag", []string{"--kubernetes-namespac", "x"}, nil, "did you mean --kubernetes-namespace?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearRegisterEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := filepath.Join(t.TempDir(), "config.toml")
			var stdout, stderr bytes.Buffer
			code := Main(append([]string{"register", "--config", path}, tt.args...), &stdout, &stderr)
			assert.Equal(t, ExitUsage, code)
			assert.Contains(t, stderr.String(), tt.want)
			assert.Empty(t, coord.RequestsTo(coordinator.PathRunnerVerify))
			assert.NoFileExists(t, path)
		})
	}
}

// The template gives what no flag sets; a flag wins over it.
func TestRegisterTemplateConfig(t *testing.T) {
	clearRegisterEnv(t)
	coord := coordinator.New(t, operatorToken)
	dir := t.TempDir()
	tpl := filepath.Join(dir, "template.toml")
	require.NoError(t, os.WriteFile(tpl, []byte("[[runners]]\nlimit = 4\n[runners.kubernetes]\nnamespace = \"from-template\"\nimage = \"debian:12\"\nhelper_image = \"helper:1\"\n"), 0o600))
	path := filepath.Join(dir, "config.toml")
	var stdout, stderr bytes.Buffer
	code := Main([]string{"register", "-c", path, "--url", coord.URL, "--token", operatorToken, "--name", "t",
		"--template-config", tpl, "--kubernetes-image", "alpine:3", "--clone-url", "http://gitlab.internal"}, &stdout, &stderr)
	require.Equal(t, ExitOK, code, stderr.String())
	cfg, _, err := config.Load(path)
	require.NoError(t, err)
	k := cfg.Runners[0].Kubernetes
	assert.Equal(t, "from-template", k.Namespace)
	assert.Equal(t, "alpine:3", k.Image)
	assert.Equal(t, "helper:1", k.HelperImage)
	assert.Equal(t, 4, cfg.Runners[0].Limit)
	assert.Equal(t, "http://gitlab.internal", cfg.Runners[0].CloneURL)
}

// GitLab Runner's --cache-* flags and their variables write
// [runners.cache]; the template gives what no flag sets; the keys are
// never printed; a value the loader refuses stops register before GitLab
// is asked.
func TestRegisterCacheFlags(t *testing.T) {
	coord := coordinator.New(t, operatorToken)
	dir := t.TempDir()
	tpl := filepath.Join(dir, "template.toml")
	require.NoError(t, os.WriteFile(tpl, []byte("[[runners]]\n[runners.cache]\nPath = \"from-template\"\n[runners.cache.s3]\nBucketLocation = \"eu-west-1\"\nBucketName = \"tpl\"\n"), 0o600))
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{name: "flags", args: []string{"--cache-type", "s3", "--cache-shared", "--cache-s3-server-address", "minio:9000",
			"--cache-s3-bucket-name", "runner-cache", "--cache-s3-access-key", "AKCACHE", "--cache-s3-secret-key", "cache-secret-value",
			"--cache-s3-insecure", "--cache-s3-path-style", "--cache-s3-server-side-encryption", "KMS",
			"--cache-s3-server-side-encryption-key-id", "alias/ci", "--template-config", tpl}},
		{name: "environment variables", env: map[string]string{"CACHE_TYPE": "s3", "CACHE_SHARED": "true",
			"CACHE_S3_SERVER_ADDRESS": "minio:9000", "CACHE_S3_BUCKET_NAME": "runner-cache", "CACHE_S3_ACCESS_KEY": "AKCACHE",
			"CACHE_S3_SECRET_KEY": "cache-secret-value", "CACHE_S3_INSECURE": "true", "CACHE_S3_PATH_STYLE": "true",
			"CACHE_S3_SERVER_SIDE_ENCRYPTION": "KMS", "CACHE_S3_SERVER_SIDE_ENCRYPTION_KEY_ID": "alias/ci", "TEMPLATE_CONFIG_FILE": tpl}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearRegisterEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := filepath.Join(t.TempDir(), "config.toml")
			var stdout, stderr bytes.Buffer
			code := Main(append([]string{"register", "-c", path, "--url", coord.URL, "--token", operatorToken}, tt.args...), &stdout, &stderr)
			require.Equal(t, ExitOK, code, stderr.String())
			assert.NotContains(t, stdout.String()+stderr.String(), "cache-secret-value")
			cfg, warnings, err := config.Load(path)
			require.NoError(t, err)
			assert.Empty(t, warnings)
			c := cfg.Runners[0].Cache
			assert.Equal(t, config.CacheTypeS3, c.Type)
			assert.Equal(t, "from-template", c.Path)
			assert.True(t, c.Shared)
			assert.Equal(t, config.CacheS3Config{ServerAddress: "minio:9000", BucketName: "runner-cache", BucketLocation: "eu-west-1",
				AccessKey: "AKCACHE", SecretKey: "cache-secret-value", Insecure: true, PathStyle: c.S3.PathStyle,
				ServerSideEncryption: "KMS", ServerSideEncryptionKeyID: "alias/ci"}, *c.S3)
			assert.True(t, *c.S3.PathStyle)
			assert.Nil(t, c.GCS)
		})
	}

	t.Run("no cache flag writes no cache table", func(t *testing.T) {
		clearRegisterEnv(t)
		path := filepath.Join(t.TempDir(), "config.toml")
		var stdout, stderr bytes.Buffer
		require.Equal(t, ExitOK, Main([]string{"register", "-c", path, "--url", coord.URL, "--token", operatorToken}, &stdout, &stderr), stderr.String())
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "cache")
	})

	t.Run("a value the loader refuses", func(t *testing.T) {
		clearRegisterEnv(t)
		path := filepath.Join(t.TempDir(), "config.toml")
		before := len(coord.RequestsTo(coordinator.PathRunnerVerify))
		var stdout, stderr bytes.Buffer
		code := Main([]string{"register", "-c", path, "--url", coord.URL, "--token", operatorToken, "--cache-type", "s3",
			"--cache-s3-bucket-name", "b", "--cache-s3-server-side-encryption", "AES256", "--cache-s3-role-arn", "arn:aws:iam::1:role/r"}, &stdout, &stderr)
		assert.NotEqual(t, ExitOK, code)
		assert.Contains(t, stderr.String(), `runners[0].cache.s3.ServerSideEncryption: "AES256" is not one of the allowed values; allowed: S3, KMS, DSSE-KMS`)
		assert.Contains(t, stderr.String(), "WARNING: --cache-s3-role-arn is not written to config.toml")
		assert.Len(t, coord.RequestsTo(coordinator.PathRunnerVerify), before, "GitLab is not asked")
		assert.NoFileExists(t, path)
	})
}

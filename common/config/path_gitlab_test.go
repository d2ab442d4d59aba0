package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Without kuberunner's own file, GitLab Runner's ~/.gitlab-runner/config.toml
// is the default; kuberunner's own wins when both are there.
func TestLocateFallsBackToGitLabRunnersPath(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root's paths are under /etc")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(EnvVar, "")
	own := filepath.Join(home, ".kuberunner", "config.toml")
	gl := filepath.Join(home, ".gitlab-runner", "config.toml")
	assert.Equal(t, own, Locate("").Path, "neither exists")
	require.NoError(t, os.MkdirAll(filepath.Dir(gl), 0o700))
	require.NoError(t, os.WriteFile(gl, nil, 0o600))
	assert.Equal(t, gl, Locate("").Path)
	require.NoError(t, os.MkdirAll(filepath.Dir(own), 0o700))
	require.NoError(t, os.WriteFile(own, nil, 0o600))
	assert.Equal(t, own, Locate("").Path)
}

func TestGitLabRunnerPath(t *testing.T) {
	home := func() (string, error) { return "/home/u", nil }
	assert.Equal(t, "/etc/gitlab-runner/config.toml", gitLabRunnerPath(0, home))
	assert.Equal(t, "/home/u/.gitlab-runner/config.toml", gitLabRunnerPath(1000, home))
}

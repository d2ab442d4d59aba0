package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigRunner(t *testing.T) {
	load := func(t *testing.T, src string) *Config {
		t.Helper()
		cfg, _, err := Parse("config.toml", []byte(src))
		require.NoError(t, err)
		return cfg
	}
	two := "[[runners]]\nname = \"a\"\n[[runners]]\nname = \"b\"\n"
	tests := []struct {
		name     string
		src      string
		runner   string
		wantName string
		wantErr  error
		wantMsg  string
	}{
		{name: "only runner", src: "[[runners]]\nname = \"a\"\n", wantName: "a"},
		{name: "only runner by name", src: "[[runners]]\nname = \"a\"\n", runner: "a", wantName: "a"},
		{name: "one of two by name", src: two, runner: "b", wantName: "b"},
		{name: "empty file", src: "", wantErr: ErrNoRunners, wantMsg: "config.toml: the file has no [[runners]] entry, so no job can run from it"},
		{name: "no runners, name given", src: "concurrent = 2\n", runner: "a", wantErr: ErrNoRunners},
		{name: "two and no name", src: two, wantErr: ErrRunnerNotChosen, wantMsg: `config.toml: the file has 2 runners; choose one by name; allowed: "a", "b"`},
		{name: "unknown name", src: two, runner: "c", wantErr: ErrRunnerNotFound, wantMsg: `config.toml: no runner is named "c"; allowed: "a", "b"`},
		{name: "the only runner is not any name", src: "[[runners]]\nname = \"a\"\n", runner: "x", wantErr: ErrRunnerNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := load(t, tt.src)
			r, err := cfg.Runner("config.toml", tt.runner)
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, tt.wantName, r.Name)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.Nil(t, r)
			if tt.wantMsg != "" {
				assert.EqualError(t, err, tt.wantMsg)
			}
		})
	}
}

func TestBuiltinRunner(t *testing.T) {
	r := BuiltinRunner()
	assert.Equal(t, "exec", r.Name)
	assert.Equal(t, DefaultExecutor, r.Executor)
	require.NotNil(t, r.Kubernetes)
	assert.Equal(t, DefaultNamespace, r.Kubernetes.Namespace)
	assert.Equal(t, DefaultPollTimeout, r.Kubernetes.PollTimeout)
	assert.True(t, r.Kubernetes.effective.resolved, "built like a file's runner, lists included")
	assert.NotSame(t, r, BuiltinRunner(), "each caller gets its own")
}

func TestLocate(t *testing.T) {
	dir := t.TempDir()
	present := filepath.Join(dir, "config.toml")
	require.NoError(t, os.WriteFile(present, nil, 0o600))
	dangling := filepath.Join(dir, "dangling.toml")
	require.NoError(t, os.Symlink(filepath.Join(dir, "gone"), dangling))

	tests := []struct {
		name       string
		flag, env  string
		home       string
		wantPath   string
		wantSource Source
		absent     bool
	}{
		{name: "flag wins", flag: "/x/flag.toml", env: "/x/env.toml", wantPath: "/x/flag.toml", wantSource: FromFlag},
		{name: "env next", env: "/x/env.toml", wantPath: "/x/env.toml", wantSource: FromEnv},
		{name: "named but missing is not absent", flag: filepath.Join(dir, "typo.toml"), wantPath: filepath.Join(dir, "typo.toml"), wantSource: FromFlag},
		{name: "misspelt env is not absent", env: filepath.Join(dir, "typo.toml"), wantPath: filepath.Join(dir, "typo.toml"), wantSource: FromEnv},
		{name: "default missing is absent", home: filepath.Join(dir, "nohome"), wantPath: filepath.Join(dir, "nohome", ".kuberunner", "config.toml"), wantSource: FromDefault, absent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvVar, tt.env)
			if tt.home != "" {
				t.Setenv("HOME", tt.home)
			}
			if os.Geteuid() == 0 && tt.wantSource == FromDefault {
				tt.wantPath = SystemPath
				tt.absent = !exists(SystemPath)
			}
			loc := Locate(tt.flag)
			assert.Equal(t, tt.wantPath, loc.Path)
			assert.Equal(t, tt.wantSource, loc.Source)
			assert.Equal(t, tt.wantSource != FromDefault, loc.Named())
			absent, err := loc.Absent()
			require.NoError(t, err)
			assert.Equal(t, tt.absent, absent)
		})
	}

	t.Run("a default path that exists is not absent", func(t *testing.T) {
		for _, p := range []string{present, dangling} {
			absent, err := Location{Path: p, Source: FromDefault}.Absent()
			require.NoError(t, err)
			assert.False(t, absent, p)
		}
	})
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

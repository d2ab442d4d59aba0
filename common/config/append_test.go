package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/common"
)

func testEntry(name string) RegisteredRunner {
	return RegisteredRunner{Name: name, URL: "https://gitlab.example.com", Token: "glrt-x", Executor: DefaultExecutor,
		Kubernetes: RegisteredKubernetes{Namespace: "ci", Image: "alpine:3.20", PullPolicy: []string{"always", "if-not-present"}}}
}

// entryText is testEntry as the TOML encoder writes it.
func entryText(quotedName string) string {
	return "[[runners]]\n" +
		"  name = " + quotedName + "\n" +
		"  url = \"https://gitlab.example.com\"\n" +
		"  token = \"glrt-x\"\n" +
		"  executor = \"kubernetes\"\n" +
		"  [runners.kubernetes]\n" +
		"    namespace = \"ci\"\n" +
		"    image = \"alpine:3.20\"\n" +
		"    pull_policy = [\"always\", \"if-not-present\"]\n"
}

// loadRunners loads path as every command does and returns its runners.
func loadRunners(t *testing.T, path string) []*RunnerConfig {
	t.Helper()
	cfg, warnings, err := Load(path)
	require.NoError(t, err)
	assert.Empty(t, warnings)
	return cfg.Runners
}

// assertOnlyTheFile checks dir holds the config file, its lock file and no
// temporary file.
func assertOnlyTheFile(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"config.toml", "config.toml.lock"}, names)
}

func TestAppendRunnerCreatesTheFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "etc", "kuberunner")
	path := filepath.Join(dir, "config.toml")

	require.NoError(t, AppendRunner(path, testEntry("a")))

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "concurrent = 1\ncheck_interval = 3\n\n"+entryText(`"a"`), string(data))
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	info, err = os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
	assertOnlyTheFile(t, dir)

	runners := loadRunners(t, path)
	require.Len(t, runners, 1)
	r := runners[0]
	assert.Equal(t, "a", r.Name)
	assert.Equal(t, "https://gitlab.example.com", r.URL)
	assert.Equal(t, "glrt-x", r.Token)
	assert.Equal(t, DefaultExecutor, r.Executor)
	require.NotNil(t, r.Kubernetes)
	assert.Equal(t, "ci", r.Kubernetes.Namespace)
	assert.Equal(t, "alpine:3.20", r.Kubernetes.Image)
	assert.Equal(t, common.PullPolicies{"always", "if-not-present"}, r.Kubernetes.PullPolicy)
}

// An empty file is treated as a missing one: it gets the global settings.
func TestAppendRunnerFillsAnEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	require.NoError(t, os.WriteFile(path, nil, 0o600))

	require.NoError(t, AppendRunner(path, testEntry("a")))

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "concurrent = 1\ncheck_interval = 3\n\n"+entryText(`"a"`), string(data))
}

// The file's text is kept byte for byte, a newline is added if its last
// line has none, and the result is mode 0600 whatever the file had.
func TestAppendRunnerAppendsToTheFile(t *testing.T) {
	tests := []struct {
		name, old string
	}{
		{"last line ends in a newline", "concurrent = 4 # kept\n\n[[runners]]\nname = \"a\"\n"},
		{"last line has no newline", "concurrent = 4 # kept\n\n[[runners]]\nname = \"a\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config.toml")
			require.NoError(t, os.WriteFile(path, []byte(tt.old), 0o644))

			require.NoError(t, AppendRunner(path, testEntry("b")))

			data, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, "concurrent = 4 # kept\n\n[[runners]]\nname = \"a\"\n\n"+entryText(`"b"`), string(data))
			info, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
			assertOnlyTheFile(t, dir)

			runners := loadRunners(t, path)
			require.Len(t, runners, 2)
			assert.Equal(t, "a", runners[0].Name)
			assert.Equal(t, "b", runners[1].Name)
		})
	}
}

// The entry is encoded by the TOML library: a value cannot end its string
// and start a table of its own.
func TestAppendRunnerValuesStayInTheirString(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	name := "a\"\n[[runners]]\nname = \"b"

	require.NoError(t, AppendRunner(path, testEntry(name)))

	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "concurrent = 1\ncheck_interval = 3\n\n"+entryText(`"a\"\n[[runners]]\nname = \"b"`), string(data))
	runners := loadRunners(t, path)
	require.Len(t, runners, 1)
	assert.Equal(t, name, runners[0].Name)
}

// A result that would not load leaves the file as it was, and no
// temporary file behind; the error is the loader's.
func TestAppendRunnerLeavesTheFileWhenTheResultWouldNotLoad(t *testing.T) {
	tests := []struct {
		name, old, entry, msg string
	}{
		{"repeated runner name", "[[runners]]\nname = \"a\"\n", "a",
			`:5: runners[1].name: runner name "a" is already used by runners[0] (line 2)`},
		{"the file is invalid already", "[[runners]]\nname = = 1\n", "b", ":2: invalid TOML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config.toml")
			require.NoError(t, os.WriteFile(path, []byte(tt.old), 0o644))

			err := AppendRunner(path, testEntry(tt.entry))

			require.Error(t, err)
			assert.Contains(t, err.Error(), "the file with the new runner would not load, so it was left unchanged: "+path)
			assert.Contains(t, err.Error(), tt.msg)
			var ce *Error
			assert.True(t, errors.As(err, &ce), "a *config.Error: %v", err)
			data, rerr := os.ReadFile(path)
			require.NoError(t, rerr)
			assert.Equal(t, tt.old, string(data))
			info, serr := os.Stat(path)
			require.NoError(t, serr)
			assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())
			assertOnlyTheFile(t, dir)
		})
	}
}

func TestAppendRunnerUnreadableFile(t *testing.T) {
	path := t.TempDir() // a directory, which cannot be read as a file

	err := AppendRunner(path, testEntry("a"))

	require.Error(t, err)
	assert.Contains(t, err.Error(), path+": not a regular file (it is a directory)")
	_, serr := os.Stat(path + ".lock")
	assert.ErrorIs(t, serr, os.ErrNotExist, "no lock file next to what is not a config file")
	entries, rerr := os.ReadDir(path)
	require.NoError(t, rerr)
	assert.Empty(t, entries)
}

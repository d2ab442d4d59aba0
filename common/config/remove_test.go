package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// removeNamed removes the runners with these names.
func removeNamed(names ...string) func(*RunnerConfig) bool {
	return func(r *RunnerConfig) bool {
		for _, n := range names {
			if r.Name == n {
				return true
			}
		}
		return false
	}
}

// RemoveRunners takes out only the entries' text: their subtables and the
// comments right above their headers go with them, everything else stays
// byte for byte.
func TestRemoveRunners(t *testing.T) {
	const head = "# global settings\nconcurrent = 2\n\n"
	const a = "# the first runner\n[[runners]]\n  name = \"a\"\n  token = \"glrt-a\"\n  [runners.kubernetes]\n    namespace = \"ci-a\"\n\n"
	const b = "[[runners]]\n  name = \"b\"\n  environment = [\"X=1\",\n    \"Y=2\"]\n  [runners.kubernetes]\n    [[runners.kubernetes.volumes.empty_dir]]\n      name = \"e\"\n      mount_path = \"/e\"\n\n"
	const c = "[[ \"runners\" ]] # quoted\n  name = \"c\"\n  [runners.kubernetes.node_selector]\n    \"disk.type\" = \"ssd\"\n"
	const fake = "[[runners]]\n  name = \"s\"\n  note = \"\"\"\n[[runners]]\n\"\"\"\n"
	tests := []struct {
		name, src string
		remove    []string
		want      string
	}{
		{name: "the middle one", src: head + a + b + c, remove: []string{"b"}, want: head + a + c},
		{name: "the first, with its comment", src: head + a + b + c, remove: []string{"a"}, want: head + b + c},
		{name: "the last", src: head + a + b + c, remove: []string{"c"}, want: head + a + b},
		{name: "two", src: head + a + b + c, remove: []string{"a", "c"}, want: head + b},
		{name: "all", src: head + a + b + c, remove: []string{"a", "b", "c"}, want: head},
		{name: "a header inside a string is no header", src: head + fake + a, remove: []string{"s"}, want: head + a},
		{name: "a table after the runners stays, with its comment", src: head + a + b + "# metrics\n[session_server]\n  listen_address = \"x\"\n",
			remove: []string{"b"}, want: head + a + "# metrics\n[session_server]\n  listen_address = \"x\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			require.NoError(t, os.WriteFile(path, []byte(tt.src), 0o600))
			_, _, err := Parse(path, []byte(tt.src))
			require.NoError(t, err, "the test's file must load")

			removed, err := RemoveRunners(path, removeNamed(tt.remove...))

			require.NoError(t, err)
			var names []string
			for _, r := range removed {
				names = append(names, r.Name)
			}
			assert.Equal(t, tt.remove, names)
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

// What RemoveRunners cannot do cleanly it does not do: the file stays as
// it was, byte for byte.
func TestRemoveRunnersLeavesTheFile(t *testing.T) {
	tests := []struct {
		name, src string
		remove    []string
		notEdit   bool // the error wraps ErrNotEditable
		errText   string
	}{
		{name: "no runner matches", src: "[[runners]]\nname = \"a\"\n", remove: []string{"x"}},
		{name: "runners as an inline array", src: "runners = [{name = \"a\"}, {name = \"b\"}]\n", remove: []string{"a"}, notEdit: true,
			errText: "not every runner is a [[runners]] table of its own"},
		{name: "a subtable after another table", src: "[[runners]]\nname = \"a\"\n[[runners]]\nname = \"b\"\n[other]\n[runners.kubernetes]\nnamespace = \"n\"\n",
			remove: []string{"b"}, notEdit: true, errText: "would not load as the same file"},
		{name: "a file that does not load", src: "[[runners]]\nname = = 1\n", remove: []string{"a"}, errText: "the file does not load"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			require.NoError(t, os.WriteFile(path, []byte(tt.src), 0o600))

			removed, err := RemoveRunners(path, removeNamed(tt.remove...))

			assert.Empty(t, removed)
			if tt.errText == "" {
				assert.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.errText)
			}
			assert.Equal(t, tt.notEdit, err != nil && errors.Is(err, ErrNotEditable))
			got, rerr := os.ReadFile(path)
			require.NoError(t, rerr)
			assert.Equal(t, tt.src, string(got))
		})
	}
}

// A removal and registrations at once each keep their change: they share
// the lock of rewrite.
func TestRemoveRunnersWithAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	require.NoError(t, AppendRunner(path, testEntry("old")))
	const writers = 6
	var wg sync.WaitGroup
	errs := make([]error, writers+1)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = AppendRunner(path, testEntry(fmt.Sprintf("r%d", i)))
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, errs[writers] = RemoveRunners(path, removeNamed("old"))
	}()
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "call %d", i)
	}
	var names []string
	for _, r := range loadRunners(t, path) {
		names = append(names, r.Name)
	}
	assert.ElementsMatch(t, []string{"r0", "r1", "r2", "r3", "r4", "r5"}, names)
}

package network

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewSystemID(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		id, err := NewSystemID()
		require.NoError(t, err)
		assert.Regexp(t, `^s_[0-9a-f]{12}$`, id)
		assert.True(t, ValidSystemID(id))
		seen[id] = true
	}
	assert.Len(t, seen, 50)
}

func TestValidSystemID(t *testing.T) {
	for id, want := range map[string]bool{
		"s_0123456789ab": true, "s_0123456789AB": false, "s_0123456789a": false,
		"s_0123456789abc": false, "r_0123456789ab": false, "": false, "s_0123456789ag": false,
	} {
		assert.Equal(t, want, ValidSystemID(id), id)
	}
}

func TestLoadOrCreateSystemID(t *testing.T) {
	t.Run("created once, then kept", func(t *testing.T) {
		dir := t.TempDir()
		config := filepath.Join(dir, "config.toml")
		id, err := LoadOrCreateSystemID(config)
		require.NoError(t, err)
		assert.True(t, ValidSystemID(id))

		info, err := os.Stat(filepath.Join(dir, SystemIDFile))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

		again, err := LoadOrCreateSystemID(config)
		require.NoError(t, err)
		assert.Equal(t, id, again)
		entries, _ := os.ReadDir(dir)
		assert.Len(t, entries, 1, "no temporary file left")
	})
	t.Run("an existing file is read", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, SystemIDFile), []byte("s_aaaaaaaaaaaa\n"), 0o600))
		id, err := LoadOrCreateSystemID(filepath.Join(dir, "config.toml"))
		require.NoError(t, err)
		assert.Equal(t, "s_aaaaaaaaaaaa", id)
	})
	t.Run("an empty file is replaced", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, SystemIDFile), nil, 0o600))
		id, err := LoadOrCreateSystemID(filepath.Join(dir, "config.toml"))
		require.NoError(t, err)
		assert.True(t, ValidSystemID(id))
	})
	t.Run("garbage is an error, not a new identity", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, SystemIDFile)
		require.NoError(t, os.WriteFile(path, []byte("hello"), 0o600))
		_, err := LoadOrCreateSystemID(filepath.Join(dir, "config.toml"))
		assert.ErrorContains(t, err, path)
	})
	t.Run("concurrent first runs agree", func(t *testing.T) {
		dir := t.TempDir()
		ids := make([]string, 8)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				id, err := LoadOrCreateSystemID(filepath.Join(dir, "config.toml"))
				assert.NoError(t, err)
				ids[i] = id
			})
		}
		wg.Wait()
		for _, id := range ids {
			assert.Equal(t, ids[0], id)
		}
	})
}

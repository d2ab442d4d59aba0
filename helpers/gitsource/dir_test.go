package gitsource

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u
}

func TestProjectDir(t *testing.T) {
	root := t.TempDir()
	got, err := projectDir(root, filepath.Join(root, "a", "b", "..", "c"))
	require.NoError(t, err)
	require.Equal(t, filepath.Join(root, "a", "c"), got)
	require.DirExists(t, got)

	// A root reached through a symlink is the operator's business.
	link := filepath.Join(t.TempDir(), "builds")
	require.NoError(t, os.Symlink(root, link))
	got, err = projectDir(link, filepath.Join(link, "a", "c"))
	require.NoError(t, err)
	require.Equal(t, filepath.Join(root, "a", "c"), got)

	require.NoError(t, os.WriteFile(filepath.Join(root, "file"), nil, 0o644))
	_, err = projectDir(root, filepath.Join(root, "file", "x"))
	require.ErrorContains(t, err, "is not a directory")
}

func TestRemoveUntracked(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	write := func(rel string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(rel), 0o644))
	}
	write(".git/HEAD")
	write("keep.txt")
	write("src/keep.go")
	write("src/drop.o")
	write("junk/deep/x")
	write("sub/inside") // a submodule's worktree is its own business
	write("file-now-dir/x")
	require.NoError(t, os.Symlink("keep.txt", filepath.Join(dir, "link")))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "was-a-dir")))
	require.NoError(t, os.WriteFile(filepath.Join(outside, "precious"), nil, 0o644))

	tracked := map[string]entryKind{
		"keep.txt": kindFile, "src/keep.go": kindFile, "link": kindSymlink, "sub": kindSubmodule,
		"file-now-dir":   kindFile, // a directory where the index has a file
		"was-a-dir/x.go": kindFile, // a symlink where the index has a directory
	}
	n, err := removeUntracked(dir, tracked)
	require.NoError(t, err)
	require.Equal(t, 4, n) // src/drop.o, junk, file-now-dir, was-a-dir
	require.Equal(t, map[string]string{"keep.txt": "keep.txt", "src/keep.go": "src/keep.go", "link": "-> keep.txt", "sub/inside": "sub/inside"}, files(t, dir))
	require.FileExists(t, filepath.Join(dir, ".git", "HEAD"))
	require.FileExists(t, filepath.Join(outside, "precious"))
}

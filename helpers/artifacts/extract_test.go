package artifacts

import (
	"archive/zip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zipEntry is one entry of a test archive: a name ending in / is a
// folder, Link makes a symlink.
type zipEntry struct {
	Name, Content, Link string
	Modified            time.Time
}

func makeZip(t *testing.T, entries ...zipEntry) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "a.zip")
	f, err := os.Create(p)
	require.NoError(t, err)
	zw := zip.NewWriter(f)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: e.Modified}
		switch {
		case e.Link != "":
			h.SetMode(os.ModeSymlink | 0o777)
			e.Content = e.Link
		case e.Name[len(e.Name)-1] == '/':
			h.SetMode(os.ModeDir | 0o755)
		default:
			h.SetMode(0o644)
		}
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write([]byte(e.Content))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	return p
}

func TestExtractZip(t *testing.T) {
	dir := project(t, map[string]string{"dist/a.bin": "old", "dist/was-link": "->/etc/passwd", "keep": "k"})
	res, err := ExtractZip(makeZip(t,
		zipEntry{Name: "dist/"},
		zipEntry{Name: "dist/a.bin", Content: "new"},
		zipEntry{Name: "dist/was-link", Content: "plain"},
		zipEntry{Name: "dist/sub/deep.txt", Content: "deep"},
		zipEntry{Name: "dist/l", Link: "a.bin"},
	), dir)
	require.NoError(t, err)
	require.Equal(t, Result{Files: 3, Dirs: 1, Symlinks: 1, Bytes: 12}, res)
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		return string(b)
	}
	require.Equal(t, "new", read("dist/a.bin"))
	require.Equal(t, "plain", read("dist/was-link"), "the symlink was replaced, not written through")
	require.Equal(t, "deep", read("dist/sub/deep.txt"))
	require.Equal(t, "new", read("dist/l"))
	require.Equal(t, "k", read("keep"))
}

// Files and folders get their archived modification times, after every
// entry is written; an entry without one keeps the time it was made.
func TestExtractZipRestoresTimes(t *testing.T) {
	old := time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC)
	dir := t.TempDir()
	_, err := ExtractZip(makeZip(t,
		zipEntry{Name: "src/", Modified: old},
		zipEntry{Name: "src/main.o", Content: "obj", Modified: old.Add(time.Hour)},
		zipEntry{Name: "src/new", Content: "n"},
		zipEntry{Name: "src/l", Link: "main.o", Modified: old},
	), dir)
	require.NoError(t, err)
	mtime := func(name string) time.Time {
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		return fi.ModTime().UTC()
	}
	assert.Equal(t, old, mtime("src"))
	assert.Equal(t, old.Add(time.Hour), mtime("src/main.o"))
	assert.Equal(t, old.Add(time.Hour), mtime("src/l"), "the symlink's target keeps its own time")
	assert.WithinDuration(t, time.Now(), mtime("src/new"), time.Minute)
}

func TestExtractZipRefuses(t *testing.T) {
	tests := []struct {
		name    string
		entries []zipEntry
		unsafe  bool // refused before anything is written
	}{
		{"climbing name", []zipEntry{{Name: "ok.txt", Content: "x"}, {Name: "../evil", Content: "x"}}, true},
		{"deep climbing name", []zipEntry{{Name: "a/../../evil", Content: "x"}}, true},
		{"absolute name", []zipEntry{{Name: "/tmp/evil", Content: "x"}}, true},
		{"symlink out", []zipEntry{{Name: "etc", Link: "/etc"}}, true},
		{"symlink climbing", []zipEntry{{Name: "a/up", Link: "../../x"}}, true},
		{"write through own symlink", []zipEntry{{Name: "l", Link: "sub"}, {Name: "sub/"}, {Name: "l/x", Content: "x"}}, false},
		{"write through symlink on disk", []zipEntry{{Name: "out/x", Content: "x"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outside := t.TempDir()
			dir := project(t, map[string]string{"out": "->" + outside})
			_, err := ExtractZip(makeZip(t, tt.entries...), dir)
			var ee *EntryError
			require.ErrorAs(t, err, &ee)
			if tt.unsafe {
				require.ErrorIs(t, err, ErrUnsafeArchive)
				_, statErr := os.Stat(filepath.Join(dir, "ok.txt"))
				require.True(t, os.IsNotExist(statErr), "nothing is written before the check")
			}
			left, _ := os.ReadDir(outside)
			require.Empty(t, left, "nothing lands outside")
		})
	}
}

func TestProjectDir(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "g", "p"), 0o755))
	require.NoError(t, os.Symlink("/etc", filepath.Join(root, "g", "escape")))
	require.NoError(t, os.Symlink("p", filepath.Join(root, "g", "alias")))
	tests := []struct {
		dir    string
		create bool
		ok     bool
	}{
		{filepath.Join(root, "g", "p"), false, true},
		{filepath.Join(root, "g", "alias"), false, true},
		{filepath.Join(root, "g", "escape"), false, false},
		{filepath.Join(root, "g", "escape", "x"), true, false},
		{root, false, false},
		{"/etc", false, false},
		{filepath.Join(root, "missing"), false, false},
		{filepath.Join(root, "made", "here"), true, true},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.dir), func(t *testing.T) {
			_, err := ProjectDir(root, tt.dir, tt.create)
			require.Equal(t, tt.ok, err == nil, "%v", err)
		})
	}
	_, err := os.Stat("/etc/x")
	require.True(t, os.IsNotExist(err))
}

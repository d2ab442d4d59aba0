package tarstream

import (
	"archive/tar"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRoundTrip(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(src, "a", "b"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "a", "b", "f.txt"), []byte("hello"), 0o640))
	require.NoError(t, os.WriteFile(filepath.Join(src, "run.sh"), []byte("#!/bin/sh\n"), 0o755))
	require.NoError(t, os.Symlink("run.sh", filepath.Join(src, "link")))

	var buf bytes.Buffer
	require.NoError(t, Write(&buf, src))
	dst := filepath.Join(t.TempDir(), "out")
	require.NoError(t, Extract(&buf, dst))

	got, err := os.ReadFile(filepath.Join(dst, "a", "b", "f.txt"))
	require.NoError(t, err)
	require.Equal(t, "hello", string(got))
	st, err := os.Stat(filepath.Join(dst, "run.sh"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o755), st.Mode().Perm())
	link, err := os.Readlink(filepath.Join(dst, "link"))
	require.NoError(t, err)
	require.Equal(t, "run.sh", link)
}

// entry is one member of a test archive.
type entry struct {
	typ        byte
	name, link string
	body       string
	mode       int64
}

func file(name, body string) entry {
	return entry{typ: tar.TypeReg, name: name, body: body, mode: 0o644}
}
func dir(name string) entry          { return entry{typ: tar.TypeDir, name: name, mode: 0o755} }
func symlink(name, to string) entry  { return entry{typ: tar.TypeSymlink, name: name, link: to} }
func hardlink(name, to string) entry { return entry{typ: tar.TypeLink, name: name, link: to} }

// archive builds a tar stream in memory, as a hostile sender would.
func archive(t *testing.T, entries ...entry) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Typeflag: e.typ, Name: e.name, Linkname: e.link, Mode: e.mode, Size: int64(len(e.body))}
		if e.typ != tar.TypeReg {
			hdr.Size = 0
		}
		if e.typ == tar.TypeXGlobalHeader {
			hdr.PAXRecords = map[string]string{"comment": "3ebdc1e"}
		}
		require.NoError(t, tw.WriteHeader(hdr))
		if hdr.Size > 0 {
			_, err := tw.Write([]byte(e.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	return &buf
}

// snapshot describes everything under root except the target directory:
// each path with its content, "dir", or where a symlink points.
func snapshot(t *testing.T, root, target string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == target {
			return filepath.SkipDir
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			to, err := os.Readlink(p)
			out[p] = "-> " + to
			return err
		case d.IsDir():
			out[p] = "dir"
		default:
			b, err := os.ReadFile(p)
			out[p] = string(b)
			return err
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

// TestExtractRefusesHostileArchives unpacks each archive into root/target
// next to root/outside/victim, and checks that Extract refuses the right
// entry and that nothing outside target was created or changed.
func TestExtractRefusesHostileArchives(t *testing.T) {
	tests := []struct {
		name string
		// entries builds the archive; root is the temp dir holding target
		// and outside, for names that aim at it.
		entries func(root string) []entry
		// setup prepares target before Extract, for symlinks already there.
		setup     func(t *testing.T, root, target string)
		wantErr   error
		wantEntry string
		wantPath  string
	}{
		{
			name: "symlink then file of the same name",
			entries: func(root string) []entry {
				return []entry{symlink("link", filepath.Join(root, "outside", "victim")), file("link", "pwned")}
			},
			wantErr: ErrSymlink, wantEntry: "link",
		},
		{
			name: "dangling symlink then file of the same name",
			entries: func(root string) []entry {
				return []entry{symlink("link", filepath.Join(root, "outside", "new")), file("link", "pwned")}
			},
			wantErr: ErrSymlink, wantEntry: "link",
		},
		{
			name: "relative symlink then file of the same name",
			entries: func(string) []entry {
				return []entry{symlink("link", "../outside/victim"), file("link", "pwned")}
			},
			wantErr: ErrSymlink, wantEntry: "link",
		},
		{
			name: "symlink then directory of the same name",
			entries: func(root string) []entry {
				return []entry{symlink("link", filepath.Join(root, "outside")), dir("link/"), file("link/evil", "pwned")}
			},
			wantErr: ErrSymlink, wantEntry: "link/",
		},
		{
			name: "symlink then symlink of the same name",
			entries: func(string) []entry {
				return []entry{symlink("link", "a"), symlink("link", "b")}
			},
			wantErr: ErrSymlink, wantEntry: "link",
		},
		{
			name: "symlink to / then file under it",
			entries: func(root string) []entry {
				return []entry{symlink("slash", "/"), file("slash"+root+"/evil", "pwned")}
			},
			wantErr: ErrSymlink, wantEntry: "slash{root}/evil", wantPath: "slash",
		},
		{
			name: "symlink to .. then file under it",
			entries: func(string) []entry {
				return []entry{symlink("up", ".."), file("up/evil", "pwned")}
			},
			wantErr: ErrSymlink, wantEntry: "up/evil", wantPath: "up",
		},
		{
			name: "symlink to .. then folder and file under it",
			entries: func(string) []entry {
				return []entry{symlink("up", ".."), dir("up/made/"), file("up/made/evil", "pwned")}
			},
			wantErr: ErrSymlink, wantEntry: "up/made/", wantPath: "up",
		},
		{
			name: "symlink deep in the tree",
			entries: func(string) []entry {
				return []entry{dir("a/"), symlink("a/b", "../../outside"), file("a/b/c/evil", "pwned")}
			},
			wantErr: ErrSymlink, wantEntry: "a/b/c/evil", wantPath: "a/b",
		},
		{
			name: "symlink already on disk as a parent",
			setup: func(t *testing.T, root, target string) {
				require.NoError(t, os.Symlink(filepath.Join(root, "outside"), filepath.Join(target, "pre")))
			},
			entries: func(string) []entry { return []entry{file("pre/victim", "pwned")} },
			wantErr: ErrSymlink, wantEntry: "pre/victim", wantPath: "pre",
		},
		{
			name: "symlink already on disk with the same name",
			setup: func(t *testing.T, root, target string) {
				require.NoError(t, os.Symlink(filepath.Join(root, "outside", "victim"), filepath.Join(target, "pre")))
			},
			entries: func(string) []entry { return []entry{file("pre", "pwned")} },
			wantErr: ErrSymlink, wantEntry: "pre",
		},
		{
			name:    "absolute path",
			entries: func(root string) []entry { return []entry{file(root+"/evil", "pwned")} },
			wantErr: ErrUnsafePath, wantEntry: "{root}/evil",
		},
		{
			name:    "absolute symlink name",
			entries: func(root string) []entry { return []entry{symlink(root+"/evil", "/")} },
			wantErr: ErrUnsafePath, wantEntry: "{root}/evil",
		},
		{
			name:    "../ path",
			entries: func(string) []entry { return []entry{file("../evil", "pwned")} },
			wantErr: ErrUnsafePath, wantEntry: "../evil",
		},
		{
			name:    "../ path to an existing file",
			entries: func(string) []entry { return []entry{file("../outside/victim", "pwned")} },
			wantErr: ErrUnsafePath, wantEntry: "../outside/victim",
		},
		{
			name:    "../ in the middle",
			entries: func(string) []entry { return []entry{file("a/../../evil", "pwned")} },
			wantErr: ErrUnsafePath, wantEntry: "a/../../evil",
		},
		{
			name:    "../ folder",
			entries: func(string) []entry { return []entry{dir("../evil/")} },
			wantErr: ErrUnsafePath, wantEntry: "../evil/",
		},
		{
			name: "hard link to a file outside",
			entries: func(root string) []entry {
				return []entry{hardlink("hl", filepath.Join(root, "outside", "victim")), file("hl", "pwned")}
			},
			wantErr: ErrUnsupportedType, wantEntry: "hl",
		},
		{
			name:    "hard link inside",
			entries: func(string) []entry { return []entry{file("f", "x"), hardlink("hl", "f")} },
			wantErr: ErrUnsupportedType, wantEntry: "hl",
		},
		{
			name:    "fifo",
			entries: func(string) []entry { return []entry{{typ: tar.TypeFifo, name: "p", mode: 0o644}} },
			wantErr: ErrUnsupportedType, wantEntry: "p",
		},
		{
			name:    "device",
			entries: func(string) []entry { return []entry{{typ: tar.TypeChar, name: "null", mode: 0o666}} },
			wantErr: ErrUnsupportedType, wantEntry: "null",
		},
		{
			name:    "same file twice",
			entries: func(string) []entry { return []entry{file("f", "first"), file("f", "second")} },
			wantErr: ErrExists, wantEntry: "f",
		},
		{
			name:    "file where a folder is",
			entries: func(string) []entry { return []entry{dir("d/"), file("d", "x")} },
			wantErr: ErrExists, wantEntry: "d",
		},
		{
			name:    "folder where a file is",
			entries: func(string) []entry { return []entry{file("f", "x"), dir("f/")} },
			wantErr: ErrExists, wantEntry: "f/",
		},
		{
			name:    "file under a file",
			entries: func(string) []entry { return []entry{file("f", "x"), file("f/g", "y")} },
			wantErr: ErrExists, wantEntry: "f/g", wantPath: "f",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			target := filepath.Join(root, "target")
			require.NoError(t, os.Mkdir(target, 0o755))
			require.NoError(t, os.Mkdir(filepath.Join(root, "outside"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(root, "outside", "victim"), []byte("original"), 0o644))
			if tt.setup != nil {
				tt.setup(t, root, target)
			}
			before := snapshot(t, root, target)

			err := Extract(archive(t, tt.entries(root)...), target)
			t.Log(err)

			require.ErrorIs(t, err, tt.wantErr)
			var e *EntryError
			require.ErrorAs(t, err, &e)
			wantEntry := strings.ReplaceAll(tt.wantEntry, "{root}", root)
			require.Equal(t, wantEntry, e.Name)
			require.Equal(t, tt.wantPath, e.Path)
			require.Contains(t, err.Error(), wantEntry)
			require.Equal(t, before, snapshot(t, root, target), "nothing may change outside the target directory")
		})
	}
}

// TestErrSymlinkIsUnsafePath keeps callers that only know ErrUnsafePath
// catching symlink refusals too.
func TestErrSymlinkIsUnsafePath(t *testing.T) {
	err := Extract(archive(t, symlink("up", ".."), file("up/evil", "x")), t.TempDir())
	require.ErrorIs(t, err, ErrSymlink)
	require.ErrorIs(t, err, ErrUnsafePath)
}

// TestExtractNormalArchive checks what a well-formed archive yields: exact
// modes whatever the umask, parents made for entries that come before
// their folder, "./" names, a pax global header skipped, symlinks made as
// written (even absolute ones: they are never followed), and an existing
// real directory reused.
func TestExtractNormalArchive(t *testing.T) {
	target := filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.MkdirAll(filepath.Join(target, "shared"), 0o755))
	entries := []entry{
		{typ: tar.TypeXGlobalHeader, name: "pax_global_header"},
		dir("./"),
		{typ: tar.TypeReg, name: "bin/run.sh", body: "#!/bin/sh\n", mode: 0o755},
		{typ: tar.TypeDir, name: "bin/", mode: 0o750},
		{typ: tar.TypeReg, name: "secret", body: "s", mode: 0o600},
		{typ: tar.TypeReg, name: "group-writable", body: "g", mode: 0o664},
		{typ: tar.TypeReg, name: "setuid", body: "u", mode: 0o4755},
		{typ: tar.TypeDir, name: "shared/", mode: 0o775},
		{typ: tar.TypeReg, name: "./dotted/deep/file.txt", body: "hello", mode: 0o644},
		symlink("link", "bin/run.sh"),
		symlink("abs-link", "/etc/passwd"),
	}
	require.NoError(t, Extract(archive(t, entries...), target))

	modes := []struct {
		path string
		want fs.FileMode
	}{
		{"bin", fs.ModeDir | 0o750},
		{"bin/run.sh", 0o755},
		{"secret", 0o600},
		{"group-writable", 0o664},
		{"setuid", 0o755},
		{"shared", fs.ModeDir | 0o775},
		{"dotted/deep", fs.ModeDir | 0o755},
		{"dotted/deep/file.txt", 0o644},
	}
	for _, m := range modes {
		t.Run(m.path, func(t *testing.T) {
			fi, err := os.Lstat(filepath.Join(target, m.path))
			require.NoError(t, err)
			require.Equal(t, m.want, fi.Mode())
		})
	}
	body, err := os.ReadFile(filepath.Join(target, "dotted", "deep", "file.txt"))
	require.NoError(t, err)
	require.Equal(t, "hello", string(body))
	for name, want := range map[string]string{"link": "bin/run.sh", "abs-link": "/etc/passwd"} {
		got, err := os.Readlink(filepath.Join(target, name))
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err = os.Lstat(filepath.Join(target, "pax_global_header"))
	require.True(t, errors.Is(err, fs.ErrNotExist), "a global header is not a file: %v", err)
}

package tarstream

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
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

func TestExtractRefusesEscapes(t *testing.T) {
	for _, name := range []string{"../evil", "a/../../evil", "/../evil"} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			tw := tar.NewWriter(&buf)
			require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: 1, Typeflag: tar.TypeReg}))
			_, _ = tw.Write([]byte("x"))
			require.NoError(t, tw.Close())
			err := Extract(&buf, t.TempDir())
			require.True(t, errors.Is(err, ErrUnsafePath), "got %v", err)
		})
	}
}

func TestExtractRefusesWritingThroughSymlink(t *testing.T) {
	outside := t.TempDir()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "link", Typeflag: tar.TypeSymlink, Linkname: outside}))
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "link/evil", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg}))
	_, _ = tw.Write([]byte("x"))
	require.NoError(t, tw.Close())
	err := Extract(&buf, t.TempDir())
	require.ErrorIs(t, err, ErrUnsafePath)
	_, statErr := os.Stat(filepath.Join(outside, "evil"))
	require.True(t, os.IsNotExist(statErr), "nothing may be written outside")
}

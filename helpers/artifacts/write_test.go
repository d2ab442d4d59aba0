package artifacts

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"kuberunner/helpers/pathglob"
)

// project makes a project directory from name → content; a content
// starting with "->" makes a symlink to the rest.
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "project")
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		if target, ok := cutPrefix(content, "->"); ok {
			require.NoError(t, os.Symlink(target, p))
			continue
		}
		require.NoError(t, os.WriteFile(p, []byte(content), 0o640))
	}
	return dir
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return "", false
}

func selection(t *testing.T, dir string, r pathglob.Rules) *pathglob.Selection {
	t.Helper()
	sel, err := pathglob.New(dir, r)
	require.NoError(t, err)
	return sel
}

// readMetadata decodes GitLab's metadata file into name → description.
func readMetadata(t *testing.T, data []byte) map[string]EntryMetadata {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	next := func() (string, bool) {
		var n uint32
		if err := binary.Read(gz, binary.BigEndian, &n); errors.Is(err, io.EOF) {
			return "", false
		} else {
			require.NoError(t, err)
		}
		b := make([]byte, n)
		_, err := io.ReadFull(gz, b)
		require.NoError(t, err)
		return string(b), true
	}
	v, _ := next()
	require.Equal(t, MetadataVersion, v)
	errs, _ := next()
	require.Equal(t, "{}", errs)
	out := map[string]EntryMetadata{}
	for {
		name, ok := next()
		if !ok {
			return out
		}
		desc, _ := next()
		var m EntryMetadata
		require.NoError(t, json.Unmarshal([]byte(desc), &m))
		out[name] = m
	}
}

func TestWriteZip(t *testing.T) {
	dir := project(t, map[string]string{
		"dist/a.bin": "aaaa", "dist/skip.log": "log", "dist/sub/b.txt": "bb",
		"dist/link": "->a.bin", "out": "->/etc",
	})
	var refused []string
	var buf bytes.Buffer
	res, err := Write(&buf, selection(t, dir, pathglob.Rules{Paths: []string{"dist/", "out"}, Exclude: []string{"dist/*.log"}}),
		Options{Format: FormatZip, Metadata: true, Refused: func(r *pathglob.Refusal) { refused = append(refused, r.Path) }})
	require.NoError(t, err)
	require.Equal(t, []string{"out"}, refused)
	require.Equal(t, Result{Files: 2, Dirs: 2, Symlinks: 1, Bytes: 6, Metadata: res.Metadata}, res)

	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	got := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		got[f.Name] = string(b)
		if f.Name == "dist/a.bin" {
			require.Equal(t, os.FileMode(0o640), f.Mode().Perm())
		}
		if f.Name == "dist/link" {
			require.NotZero(t, f.Mode()&os.ModeSymlink)
		}
	}
	require.Equal(t, map[string]string{"dist/": "", "dist/a.bin": "aaaa", "dist/link": "a.bin", "dist/sub/": "", "dist/sub/b.txt": "bb"}, got)

	meta := readMetadata(t, res.Metadata)
	require.Len(t, meta, len(zr.File))
	for _, f := range zr.File {
		m := meta[f.Name]
		require.Equal(t, f.CRC32, m.CRC, f.Name)
		require.Equal(t, f.UncompressedSize64, m.Size, f.Name)
		require.Equal(t, f.CompressedSize64, m.Zipped, f.Name)
	}
}

func TestWriteZipMetadataListsParents(t *testing.T) {
	dir := project(t, map[string]string{"a/b/c.txt": "c"})
	res, err := Write(io.Discard, selection(t, dir, pathglob.Rules{Paths: []string{"a/b/c.txt"}}), Options{Format: FormatZip, Metadata: true})
	require.NoError(t, err)
	meta := readMetadata(t, res.Metadata)
	require.Contains(t, meta, "a/")
	require.Contains(t, meta, "a/b/")
	require.Equal(t, uint64(1), meta["a/b/c.txt"].Size)
}

func TestWriteGzip(t *testing.T) {
	dir := project(t, map[string]string{"report.xml": "<one/>", "more/r2.xml": "<two/>"})
	var buf bytes.Buffer
	res, err := Write(&buf, selection(t, dir, pathglob.Rules{Paths: []string{"report.xml", "more"}}), Options{Format: FormatGzip})
	require.NoError(t, err)
	require.Equal(t, 2, res.Files)
	require.Equal(t, 0, res.Dirs, "gzip carries files only")
	gz, err := gzip.NewReader(&buf)
	require.NoError(t, err)
	var members []string
	for {
		gz.Multistream(false)
		b, err := io.ReadAll(gz)
		require.NoError(t, err)
		members = append(members, gz.Name+"="+string(b))
		if err := gz.Reset(&buf); errors.Is(err, io.EOF) {
			break
		}
	}
	require.Equal(t, []string{"report.xml=<one/>", "more/r2.xml=<two/>"}, members)
}

func TestWriteRaw(t *testing.T) {
	dir := project(t, map[string]string{"one.json": "{}", "two.json": "[]"})
	tests := []struct {
		name  string
		paths []string
		want  string
		err   error
	}{
		{"one file", []string{"one.json"}, "{}", nil},
		{"two files", []string{"*.json"}, "", ErrRawNeedsOneFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := Write(&buf, selection(t, dir, pathglob.Rules{Paths: tt.paths}), Options{Format: FormatRaw})
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, buf.String())
		})
	}
}

func TestCount(t *testing.T) {
	dir := project(t, map[string]string{"d/a": "12345", "d/b": "1", "d/l": "->a"})
	for _, tt := range []struct {
		format Format
		want   Result
	}{
		{FormatZip, Result{Files: 2, Dirs: 1, Symlinks: 1, Bytes: 6}},
		{FormatGzip, Result{Files: 2, Bytes: 6}},
	} {
		t.Run(string(tt.format), func(t *testing.T) {
			got, err := Count(selection(t, dir, pathglob.Rules{Paths: []string{"d"}}), tt.format, nil)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestCompressionLevels(t *testing.T) {
	for _, c := range []Compression{"", CompressionFastest, CompressionFast, CompressionDefault, CompressionSlow, CompressionSlowest} {
		_, err := c.Level()
		require.NoError(t, err, c)
	}
	_, err := Compression("max").Level()
	var re *RequestError
	require.ErrorAs(t, err, &re)
}

// A large file goes through with the heap staying small: the archive is a
// stream, never a buffer.
func TestWriteMemoryFlat(t *testing.T) {
	dir := project(t, map[string]string{})
	require.NoError(t, os.MkdirAll(dir, 0o755))
	f, err := os.Create(filepath.Join(dir, "big.bin"))
	require.NoError(t, err)
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	for range 64 {
		_, err = f.Write(chunk)
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())

	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	res, err := Write(io.Discard, selection(t, dir, pathglob.Rules{Paths: []string{"big.bin"}}), Options{Format: FormatZip, Compression: CompressionFast, Metadata: true})
	close(stop)
	<-done
	require.NoError(t, err)
	require.Equal(t, int64(64<<20), res.Bytes)
	require.Less(t, peak.Load(), uint64(24<<20), "heap in use while writing 64 MiB")
}

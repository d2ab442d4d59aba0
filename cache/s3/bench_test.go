package s3

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"kuberunner/helpers/artifacts"
	"kuberunner/helpers/cachearchive"
)

// The cache's speed against the real MinIO (make bench; docs/performance.md):
// saving and restoring 100 MiB in 10,000 files of 10 KiB, through the
// helper's code with URLs the runner's signer made, next to `tar` plus
// `curl` of the same tree with the same URLs. The content is random, so
// compression only costs time; "fastest" stores without compressing.
const (
	benchFiles    = 10_000
	benchFileSize = 10 << 10
)

// benchTree writes the tree once per benchmark.
func benchTree(b *testing.B, root string) string {
	dir := filepath.Join(root, "g", "p")
	buf := make([]byte, benchFileSize)
	for i := range benchFiles {
		p := filepath.Join(dir, "vendor", fmt.Sprintf("d%02d", i%100), fmt.Sprintf("f%05d", i))
		require.NoError(b, os.MkdirAll(filepath.Dir(p), 0o755))
		_, _ = rand.Read(buf)
		require.NoError(b, os.WriteFile(p, buf, 0o644))
	}
	return dir
}

type benchEnv struct {
	root, dir, get, put string
}

func newBenchEnv(b *testing.B) benchEnv {
	info := standaloneS3(b)
	signer := signerFor(b, info)
	root := b.TempDir()
	e := benchEnv{root: root, dir: benchTree(b, root)}
	get, err := signer.GetURL(context.Background(), "bench/deps")
	require.NoError(b, err)
	put, err := signer.PutURL(context.Background(), "bench/deps")
	require.NoError(b, err)
	e.get, e.put = get.String(), put.String()
	return e
}

func (e benchEnv) request(c artifacts.Compression, cache cachearchive.Cache) cachearchive.Request {
	return cachearchive.Request{Dir: e.dir, StateDir: filepath.Join(e.root, ".state"), TimeoutSeconds: 600, Compression: c,
		Caches: []cachearchive.Cache{cache}}
}

func BenchmarkCacheSave(b *testing.B) {
	e := newBenchEnv(b)
	for _, level := range []artifacts.Compression{artifacts.CompressionDefault, artifacts.CompressionFastest} {
		b.Run(string(level), func(b *testing.B) {
			req := e.request(level, cachearchive.Cache{Key: "deps", Paths: []string{"vendor/"}, Upload: &cachearchive.Upload{URL: e.put}})
			b.SetBytes(benchFiles * benchFileSize)
			for b.Loop() {
				require.NoError(b, cachearchive.Archive(context.Background(), req, cachearchive.Options{Out: io.Discard}))
			}
		})
	}
	b.Run("tar+curl", func(b *testing.B) {
		tgz := filepath.Join(e.root, "cache.tar.gz")
		b.SetBytes(benchFiles * benchFileSize)
		for b.Loop() {
			run(b, "tar", "czf", tgz, "-C", e.dir, "vendor")
			run(b, "curl", "-sSf", "-T", tgz, e.put)
		}
	})
}

func BenchmarkCacheRestore(b *testing.B) {
	e := newBenchEnv(b)
	save := e.request("", cachearchive.Cache{Key: "deps", Paths: []string{"vendor/"}, Upload: &cachearchive.Upload{URL: e.put}})
	require.NoError(b, cachearchive.Archive(context.Background(), save, cachearchive.Options{Out: io.Discard}))
	b.Run("kuberunner", func(b *testing.B) {
		b.SetBytes(benchFiles * benchFileSize)
		for b.Loop() {
			b.StopTimer()
			require.NoError(b, os.RemoveAll(filepath.Join(e.dir, "vendor")))
			b.StartTimer()
			req := e.request("", cachearchive.Cache{Key: "deps", Paths: []string{"vendor/"}, Sources: []cachearchive.Source{{Key: "deps", URL: e.get}}})
			require.NoError(b, cachearchive.Extract(context.Background(), req, cachearchive.Options{Out: io.Discard}))
		}
	})
	b.Run("tar+curl", func(b *testing.B) {
		tgz := filepath.Join(e.root, "cache.tar.gz")
		run(b, "tar", "czf", tgz, "-C", e.dir, "vendor")
		run(b, "curl", "-sSf", "-T", tgz, e.put)
		b.SetBytes(benchFiles * benchFileSize)
		for b.Loop() {
			b.StopTimer()
			require.NoError(b, os.RemoveAll(filepath.Join(e.dir, "vendor")))
			b.StartTimer()
			run(b, "sh", "-c", `curl -sSf "$1" | tar xzf - -C "$2"`, "sh", e.get, e.dir)
		}
	})
}

func run(b *testing.B, name string, args ...string) {
	out, err := exec.Command(name, args...).CombinedOutput()
	require.NoError(b, err, "%s: %s", name, out)
}

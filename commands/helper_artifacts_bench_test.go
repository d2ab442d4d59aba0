package commands

import (
	"crypto/rand"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"kuberunner/helpers/artifacts"
	"kuberunner/helpers/pathglob"
)

// benchSize is the artifact of the benchmarks: 100 MiB of random bytes,
// which no compression shrinks.
const benchSize = 100 << 20

// BenchmarkArtifacts moves a 100 MiB artifact through the helper's code
// (the same functions `kuberunner helper artifacts-upload` and
// `artifacts-download` run) to and from the test coordinator on this
// machine, next to curl doing the same transfer to the same coordinator.
// The coordinator writes uploads to disk, as GitLab would; a download
// lands in a file and is then unpacked, so it writes the bytes twice
// where curl writes them to /dev/null once. `make bench` runs it.
func BenchmarkArtifacts(b *testing.B) {
	r := newArtifactsRig(b, nil)
	writeRandom(b, filepath.Join(r.dir, "big.bin"))
	for _, c := range []artifacts.Compression{artifacts.CompressionFastest, artifacts.CompressionFast, artifacts.CompressionDefault} {
		b.Run("upload/helper-"+string(c), func(b *testing.B) {
			req := r.upload([]string{"big.bin"}, nil, "archive", artifacts.FormatZip)
			req.Compression = c
			measure(b, func() { r.mustRun(b, "artifacts-upload", req) })
		})
	}
	b.Run("upload/curl", func(b *testing.B) {
		measure(b, func() {
			curl(b, "-sS", "-f", "-o", "/dev/null", "-H", "JOB-TOKEN: "+r.job.Token,
				"-F", "file=@"+filepath.Join(r.dir, "big.bin"), r.srv.URL+"/api/v4/jobs/"+strconv.FormatInt(r.job.ID, 10)+"/artifacts?artifact_type=archive&artifact_format=raw")
		})
	})
	r.srv.StoreArchive(900, storedZip(b, r.dir))
	b.Run("download/helper", func(b *testing.B) {
		measure(b, func() {
			into := filepath.Join(filepath.Dir(r.dir), "download")
			_ = os.RemoveAll(into)
			r.mustRun(b, "artifacts-download", artifacts.DownloadRequest{Target: r.target(900), Name: "bench", Dir: into})
		})
	})
	b.Run("download/curl", func(b *testing.B) {
		measure(b, func() {
			curl(b, "-sS", "-f", "-o", "/dev/null", "-H", "JOB-TOKEN: "+r.job.Token, r.srv.URL+"/api/v4/jobs/900/artifacts")
		})
	})
}

// measure runs op b.N times and reports MiB/s of benchSize each.
func measure(b *testing.B, op func()) {
	b.SetBytes(benchSize)
	start := time.Now()
	for range b.N {
		op()
	}
	b.ReportMetric(float64(benchSize)*float64(b.N)/(1<<20)/time.Since(start).Seconds(), "MiB/s")
}

func (r *artifactsRig) mustRun(b *testing.B, kind string, req any) {
	code, out := r.run(b, kind, req)
	if code != 0 {
		b.Fatalf("%s: exit %d: %s", kind, code, out)
	}
}

func curl(b *testing.B, args ...string) {
	if _, err := exec.LookPath("curl"); err != nil {
		b.Skip("no curl")
	}
	if out, err := exec.Command("curl", args...).CombinedOutput(); err != nil {
		b.Fatalf("curl: %v: %s", err, out)
	}
}

func writeRandom(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.Reader, benchSize); err != nil {
		b.Fatal(err)
	}
}

// storedZip is a zip of big.bin, stored: what a dependency's download
// fetches and unpacks.
func storedZip(b *testing.B, dir string) []byte {
	sel, err := pathglob.New(dir, pathglob.Rules{Paths: []string{"big.bin"}})
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.CreateTemp(b.TempDir(), "zip")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := artifacts.Write(f, sel, artifacts.Options{Format: artifacts.FormatZip, Compression: artifacts.CompressionFastest}); err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(f.Name())
	if err != nil {
		b.Fatal(err)
	}
	return data
}

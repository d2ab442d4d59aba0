package localcluster

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImageRef(t *testing.T) {
	for in, want := range map[string]string{
		"busybox":                              "127.0.0.1:5000/busybox:latest",
		"foo:v1":                               "127.0.0.1:5000/foo:v1",
		"a/b:c":                                "127.0.0.1:5000/a/b:c",
		"127.0.0.1:5000/x":                     "127.0.0.1:5000/x:latest",
		"127.0.0.1:5000/x:y":                   "127.0.0.1:5000/x:y",
		"127.0.0.1:5000/x@sha256:0123456789ab": "127.0.0.1:5000/x@sha256:0123456789ab",
	} {
		if got := ImageRef(in); got != want {
			t.Errorf("ImageRef(%q) = %q, want %q", in, got, want)
		}
	}
}

// Two names must have distinct digests (tests tell images apart by digest)
// while sharing the busybox layer (so pushing many stays cheap).
func TestBusyboxImagesDifferPerNameAndShareBase(t *testing.T) {
	a, err := busyboxImage("127.0.0.1:5000/a:v1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := busyboxImage("127.0.0.1:5000/a:v2")
	if err != nil {
		t.Fatal(err)
	}
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da == db {
		t.Errorf("both tags have digest %s", da)
	}
	la, _ := a.Layers()
	lb, _ := b.Layers()
	ba, _ := la[0].Digest()
	bb, _ := lb[0].Digest()
	if ba != bb {
		t.Errorf("busybox layers differ: %s vs %s", ba, bb)
	}
	cf, _ := a.ConfigFile()
	if cf.OS != "linux" || cf.Architecture != "amd64" {
		t.Errorf("platform %s/%s, want linux/amd64", cf.OS, cf.Architecture)
	}
	rc, err := la[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			t.Fatal("no bin/sh in the busybox layer")
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "bin/sh" {
			if h.Typeflag != tar.TypeSymlink || h.Linkname != "busybox" {
				t.Errorf("bin/sh is %v -> %q, want a symlink to busybox", h.Typeflag, h.Linkname)
			}
			return
		}
	}
}

// The helper image holds what the helper container runs: the binary, a
// POSIX sh for the get_sources hooks (busybox), and the CA bundle for an
// HTTPS GitLab, with a PATH that finds them.
func TestHelperImage(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "kuberunner")
	if err := os.WriteFile(bin, []byte("binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, img, err := helperImage("127.0.0.1:5000/kuberunner-helper:test", bin)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cf.Config.Env, " "); got != "PATH=/usr/local/bin:/bin" {
		t.Errorf("env %q", got)
	}
	if got := strings.Join(cf.Config.Entrypoint, " "); got != "/usr/local/bin/kuberunner helper wait" {
		t.Errorf("entrypoint %q", got)
	}
	layers, _ := img.Layers()
	if len(layers) != 1 {
		t.Fatalf("%d layers", len(layers))
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if got[h.Name] != nil {
			t.Errorf("%s twice in the layer", h.Name)
		}
		got[h.Name] = h
	}
	for name, check := range map[string]func(h *tar.Header) bool{
		"usr/local/bin/kuberunner":          func(h *tar.Header) bool { return h.Mode == 0o755 && h.Size == 6 },
		"bin/busybox":                       func(h *tar.Header) bool { return h.Mode == 0o755 && h.Size > 0 },
		"bin/sh":                            func(h *tar.Header) bool { return h.Typeflag == tar.TypeSymlink && h.Linkname == "busybox" },
		"etc/ssl/certs/ca-certificates.crt": func(h *tar.Header) bool { return h.Size > 0 },
		"tmp/":                              func(h *tar.Header) bool { return h.Mode == 0o1777 },
	} {
		if h := got[name]; h == nil || !check(h) {
			t.Errorf("%s: %+v", name, h)
		}
	}
}

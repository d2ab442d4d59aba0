package localcluster

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// busyboxPath is Debian busybox-static's binary: statically linked, so one
// file plus symlinks is a working image without any base image download.
const busyboxPath = "/bin/busybox"

// busyboxApplets become /bin symlinks to busybox in every image we build.
var busyboxApplets = []string{
	"sh", "ash", "echo", "cat", "ls", "sleep", "tar", "mkdir", "env", "true", "false", "test", "[",
	"printf", "cp", "mv", "rm", "ln", "grep", "sed", "awk", "head", "tail", "wc", "id", "pwd",
	"touch", "chmod", "date", "hostname", "uname", "find", "xargs", "sort", "tee", "dd", "gzip",
	"gunzip", "which", "basename", "dirname", "kill", "ps", "wget", "stat", "readlink", "expr",
	"seq", "yes", "cut", "tr", "uniq", "md5sum", "sha256sum", "whoami", "base64",
}

// ImageRef qualifies a short image name with the local registry:
// "foo:v1" → "127.0.0.1:5000/foo:v1". A name that already has a registry
// host (a front's, say) is returned as it is; a name without a tag gets ":latest".
func ImageRef(image string) string {
	if first, _, ok := strings.Cut(image, "/"); !ok || !strings.ContainsAny(first, ".:") {
		image = RegistryHost + "/" + image
	}
	if i := strings.LastIndex(image, "/"); !strings.Contains(image[i:], ":") && !strings.Contains(image, "@") {
		image += ":latest"
	}
	return image
}

func parseRef(image string) (name.Reference, error) {
	return name.ParseReference(ImageRef(image), name.Insecure)
}

// PushImage builds a busybox image for image and pushes it to the local
// registry, returning its digest. Each image carries a layer with the file
// /etc/kuberunner-image holding its own name, so two names (or tags) always
// have distinct digests while sharing the big busybox layer.
// To an authenticated registry (AuthRegistryHosts) it pushes as the
// first of AuthRegistryUsers.
func (c *Cluster) PushImage(ctx context.Context, image string) (string, error) {
	ref, err := parseRef(image)
	if err != nil {
		return "", err
	}
	auth, err := c.remoteAuth(ref)
	if err != nil {
		return "", err
	}
	return pushBusybox(ctx, ref, auth...)
}

func pushBusybox(ctx context.Context, ref name.Reference, opts ...remote.Option) (string, error) {
	img, err := busyboxImage(ref.String())
	if err != nil {
		return "", err
	}
	return push(ctx, ref, img, opts...)
}

func push(ctx context.Context, ref name.Reference, img v1.Image, opts ...remote.Option) (string, error) {
	if err := remote.Write(ref, img, append(opts, remote.WithContext(ctx))...); err != nil {
		return "", fmt.Errorf("push %s: %w", ref, err)
	}
	d, err := img.Digest()
	return d.String(), err
}

// DeleteImage deletes image's manifest (and so its tag) from the local
// registry through the registry API. Blobs stay until a garbage collection,
// which nothing needs: a pull of the name then answers "not found".
func (c *Cluster) DeleteImage(ctx context.Context, image string) error {
	ref, err := parseRef(image)
	if err != nil {
		return err
	}
	opts, err := c.remoteAuth(ref)
	if err != nil {
		return err
	}
	opts = append(opts, remote.WithContext(ctx))
	desc, err := remote.Head(ref, opts...)
	if err != nil {
		return fmt.Errorf("look up %s: %w", ref, err)
	}
	// distribution deletes manifests by digest only, not by tag.
	byDigest := ref.Context().Digest(desc.Digest.String())
	if err := remote.Delete(byDigest, opts...); err != nil {
		return fmt.Errorf("delete %s: %w", byDigest, err)
	}
	return nil
}

// registryHas reports whether the registry serves image.
func registryHas(ctx context.Context, image string) bool {
	ref, err := parseRef(image)
	if err != nil {
		return false
	}
	_, err = remote.Head(ref, remote.WithContext(ctx))
	return err == nil
}

// busyboxFiles are /bin/busybox, the directories dirs, and the applet
// symlinks, in that order: the one list of what busybox brings to an
// image, the job images' and the helper's.
func busyboxFiles(dirs ...tarEntry) ([]tarEntry, error) {
	bb, err := os.ReadFile(busyboxPath)
	if err != nil {
		return nil, fmt.Errorf("read %s (install busybox-static; see hack/install-deps.sh): %w", busyboxPath, err)
	}
	files := append([]tarEntry{{name: "bin/", dir: true}, {name: "bin/busybox", data: bb, mode: 0o755}}, dirs...)
	for _, a := range busyboxApplets {
		files = append(files, tarEntry{name: "bin/" + a, link: "busybox"})
	}
	return files, nil
}

// busyboxImage is a linux/amd64 image: busybox and applet symlinks in /bin,
// plus a layer naming the image.
func busyboxImage(ref string) (v1.Image, error) {
	files, err := busyboxFiles(tarEntry{name: "tmp/", dir: true, mode: 0o1777}, tarEntry{name: "etc/", dir: true})
	if err != nil {
		return nil, err
	}
	base, err := layer(files)
	if err != nil {
		return nil, err
	}
	named, err := layer([]tarEntry{{name: "etc/", dir: true}, {name: "etc/kuberunner-image", data: []byte(ref + "\n"), mode: 0o644}})
	if err != nil {
		return nil, err
	}
	return configure(v1.Config{
		Env:    []string{"PATH=/bin"},
		Cmd:    []string{"sh"},
		Labels: map[string]string{"kuberunner.image": ref},
	}, base, named)
}

// configure stacks layers on an empty linux/amd64 image with cfg.
func configure(cfg v1.Config, layers ...v1.Layer) (v1.Image, error) {
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Config = "linux", "amd64", cfg
	return mutate.ConfigFile(img, cf)
}

type tarEntry struct {
	name, link string
	data       []byte
	mode       int64
	dir        bool
}

// layer builds an uncompressed-in-memory tar layer with zero timestamps, so
// the same content always has the same digest and the registry stores the
// busybox layer once however many images use it.
func layer(entries []tarEntry) (v1.Layer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Format: tar.FormatPAX}
		switch {
		case e.dir:
			h.Typeflag = tar.TypeDir
			if h.Mode == 0 {
				h.Mode = 0o755
			}
		case e.link != "":
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, e.link, 0o777
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
}

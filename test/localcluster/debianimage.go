package localcluster

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// DebianImage is the local registry's Debian bookworm image: what most CI
// images are built on (bash as well as dash, apt, useradd, su), for the
// tests that busybox cannot answer. `make debian-image` pushes it.
const DebianImage = RegistryHost + "/debian:bookworm"

// debianPath is the image's PATH, Debian's default for root.
const debianPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// PushDebianImage pushes DebianImage as one layer made of rootfs, a tar of
// a Debian root file system (hack/debian-rootfs.sh), unless the registry
// already serves it: the layer is 200 MB, and a cluster keeps its registry.
func (c *Cluster) PushDebianImage(ctx context.Context, rootfs string) (string, error) {
	if registryHas(ctx, DebianImage) {
		return "already in the registry", nil
	}
	ref, err := parseRef(DebianImage)
	if err != nil {
		return "", err
	}
	l, err := tarball.LayerFromFile(rootfs)
	if err != nil {
		return "", fmt.Errorf("read %s (made by hack/debian-rootfs.sh): %w", rootfs, err)
	}
	img, err := configure(v1.Config{Env: []string{debianPath}, Cmd: []string{"bash"}}, l)
	if err != nil {
		return "", err
	}
	return push(ctx, ref, img)
}

// HasDebianImage reports whether the registry serves DebianImage.
func (c *Cluster) HasDebianImage(ctx context.Context) bool {
	return registryHas(ctx, DebianImage)
}

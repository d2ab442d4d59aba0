package localcluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ensureBaseImages pushes the sandbox (pause) and busybox images to the
// registry when it lacks them, and caches the sandbox image in containerd so
// that pods start even while a test has the registry stopped.
func (c *Cluster) ensureBaseImages(ctx context.Context) error {
	if !registryHas(ctx, PauseImage) {
		img, err := c.pauseImage()
		if err != nil {
			return fmt.Errorf("build sandbox image: %w", err)
		}
		ref, _ := parseRef(PauseImage)
		if _, err := push(ctx, ref, img); err != nil {
			return err
		}
	}
	if !registryHas(ctx, BusyboxImage) {
		if _, err := c.PushImage(ctx, BusyboxImage); err != nil {
			return err
		}
	}
	return c.CacheImage(ctx, PauseImage)
}

// pauseImage builds ./pause (CGO_ENABLED=0, so it is static) and wraps it in
// a one-file image.
func (c *Cluster) pauseImage() (v1.Image, error) {
	if c.RepoRoot == "" {
		return nil, fmt.Errorf("kuberunner checkout not found: run from inside it")
	}
	bin := c.path("bin", "pause")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./hack/localcluster/pause")
	cmd.Dir = c.RepoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build pause: %v\n%s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	l, err := layer([]tarEntry{{name: filepath.Base(bin), data: data, mode: 0o755}})
	if err != nil {
		return nil, err
	}
	return configure(v1.Config{Entrypoint: []string{"/pause"}}, l)
}

package localcluster

import (
	"context"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// HelperImage is the name the local cluster serves kuberunner's helper
// image under; the executor's default helper_image points here.
const HelperImage = RegistryHost + "/kuberunner-helper:latest"

// RunnerImage is the name the local cluster serves the runner's own image
// under: what deploy/ runs as `kuberunner run`.
const RunnerImage = RegistryHost + "/kuberunner:latest"

// binaryPath is where both images keep the kuberunner binary.
const binaryPath = "/usr/local/bin/kuberunner"

// caBundle is Debian's CA bundle: the runner talks to GitLab over HTTPS,
// and Go reads the system roots from this path.
const caBundle = "/etc/ssl/certs/ca-certificates.crt"

// runnerUser is the numeric user the runner image declares, so that a pod
// with runAsNonRoot starts it without naming a user (there is no
// /etc/passwd to look a name up in).
const runnerUser = "65532:65532"

// helperPath is the helper image's PATH: kuberunner, then busybox.
const helperPath = "PATH=/usr/local/bin:/bin"

// PushHelperImage builds kuberunner's helper image from a statically linked
// kuberunner binary and pushes it as image. `kuberunner helper wait` keeps
// the container alive, `receive` unpacks sources and `clone` fetches them;
// busybox (Debian's busybox-static, statically linked) gives the get_sources
// hooks a POSIX sh with the usual applets, and the CA bundle lets the clone
// and Git LFS verify an HTTPS GitLab.
func (c *Cluster) PushHelperImage(ctx context.Context, image, binary string) (string, error) {
	ref, img, err := helperImage(image, binary)
	if err != nil {
		return "", err
	}
	return c.pushAuthorized(ctx, ref, img)
}

// helperImage is the helper image, built and not pushed.
func helperImage(image, binary string) (name.Reference, v1.Image, error) {
	bb, err := busyboxFiles()
	if err != nil {
		return nil, nil, err
	}
	ca, err := caBundleFiles()
	if err != nil {
		return nil, nil, err
	}
	return binaryImage(image, binary, v1.Config{
		Entrypoint: []string{binaryPath, "helper", "wait"},
		Env:        []string{helperPath},
	}, append(bb, ca...))
}

// PushRunnerImage builds the runner's image, the same binary with `run` as
// its entrypoint, a non-root user, and the CA bundle for GitLab's TLS
// certificate, and pushes it as image. Arguments given to the container
// (--config …) follow `run`.
func (c *Cluster) PushRunnerImage(ctx context.Context, image, binary string) (string, error) {
	ca, err := caBundleFiles()
	if err != nil {
		return "", err
	}
	ref, img, err := binaryImage(image, binary, v1.Config{
		Entrypoint: []string{binaryPath, "run"},
		User:       runnerUser,
	}, ca)
	if err != nil {
		return "", err
	}
	return c.pushAuthorized(ctx, ref, img)
}

// caBundleFiles are Debian's CA bundle and its directories: the one list
// both images carry.
func caBundleFiles() ([]tarEntry, error) {
	ca, err := os.ReadFile(caBundle)
	if err != nil {
		return nil, fmt.Errorf("read the CA bundle for the image (Debian package ca-certificates): %w", err)
	}
	return []tarEntry{
		{name: "etc/", dir: true}, {name: "etc/ssl/", dir: true}, {name: "etc/ssl/certs/", dir: true},
		{name: caBundle[1:], data: ca, mode: 0o644},
	}, nil
}

// binaryImage builds a one-layer image holding the kuberunner binary, a
// /tmp and extra, configured by cfg.
func binaryImage(image, binary string, cfg v1.Config, extra []tarEntry) (name.Reference, v1.Image, error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return nil, nil, fmt.Errorf("read the kuberunner binary for %s: %w", image, err)
	}
	ref, err := parseRef(image)
	if err != nil {
		return nil, nil, err
	}
	entries := append([]tarEntry{
		{name: "usr/", dir: true}, {name: "usr/local/", dir: true}, {name: "usr/local/bin/", dir: true},
		{name: binaryPath[1:], data: bin, mode: 0o755},
		{name: "tmp/", dir: true, mode: 0o1777},
	}, extra...)
	l, err := layer(entries)
	if err != nil {
		return nil, nil, err
	}
	cfg.Labels = map[string]string{"kuberunner.image": ref.String()}
	img, err := configure(cfg, l)
	return ref, img, err
}

// pushAuthorized pushes img with the harness's account when ref is on one
// of the registries that want credentials.
func (c *Cluster) pushAuthorized(ctx context.Context, ref name.Reference, img v1.Image) (string, error) {
	auth, err := c.remoteAuth(ref)
	if err != nil {
		return "", err
	}
	return push(ctx, ref, img, auth...)
}

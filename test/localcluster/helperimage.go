package localcluster

import (
	"context"
	"fmt"
	"os"

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

// PushHelperImage builds kuberunner's helper image from a statically linked
// kuberunner binary and pushes it as image. The helper needs nothing else:
// `kuberunner helper wait` keeps the container alive and `kuberunner helper
// receive` unpacks the sources, so the image is one file and a /tmp.
func (c *Cluster) PushHelperImage(ctx context.Context, image, binary string) (string, error) {
	return c.pushBinaryImage(ctx, image, binary, v1.Config{
		Entrypoint: []string{binaryPath, "helper", "wait"},
	}, nil)
}

// PushRunnerImage builds the runner's image, the same binary with `run` as
// its entrypoint, a non-root user, and the CA bundle for GitLab's TLS
// certificate, and pushes it as image. Arguments given to the container
// (--config …) follow `run`.
func (c *Cluster) PushRunnerImage(ctx context.Context, image, binary string) (string, error) {
	ca, err := os.ReadFile(caBundle)
	if err != nil {
		return "", fmt.Errorf("read the CA bundle for the runner image (Debian package ca-certificates): %w", err)
	}
	return c.pushBinaryImage(ctx, image, binary, v1.Config{
		Entrypoint: []string{binaryPath, "run"},
		User:       runnerUser,
	}, []tarEntry{
		{name: "etc/", dir: true}, {name: "etc/ssl/", dir: true}, {name: "etc/ssl/certs/", dir: true},
		{name: "etc/ssl/certs/ca-certificates.crt", data: ca, mode: 0o644},
	})
}

// pushBinaryImage builds a one-layer image holding the kuberunner binary,
// a /tmp and extra, configured by cfg, and pushes it as image.
func (c *Cluster) pushBinaryImage(ctx context.Context, image, binary string, cfg v1.Config, extra []tarEntry) (string, error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return "", fmt.Errorf("read the kuberunner binary for %s: %w", image, err)
	}
	ref, err := parseRef(image)
	if err != nil {
		return "", err
	}
	auth, err := c.remoteAuth(ref)
	if err != nil {
		return "", err
	}
	entries := append([]tarEntry{
		{name: "usr/", dir: true}, {name: "usr/local/", dir: true}, {name: "usr/local/bin/", dir: true},
		{name: binaryPath[1:], data: bin, mode: 0o755},
		{name: "tmp/", dir: true, mode: 0o1777},
	}, extra...)
	l, err := layer(entries)
	if err != nil {
		return "", err
	}
	cfg.Labels = map[string]string{"kuberunner.image": ref.String()}
	img, err := configure(cfg, l)
	if err != nil {
		return "", err
	}
	return push(ctx, ref, img, auth...)
}

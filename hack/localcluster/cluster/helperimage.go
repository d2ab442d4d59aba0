package cluster

import (
	"context"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// HelperImage is the name the local cluster serves kuberunner's helper
// image under; the executor's default helper_image points here.
const HelperImage = RegistryHost + "/kuberunner-helper:latest"

// PushHelperImage builds kuberunner's helper image from a statically linked
// kuberunner binary and pushes it as image. The helper needs nothing else:
// `kuberunner helper wait` keeps the container alive and `kuberunner helper
// receive` unpacks the sources, so the image is one file and a /tmp.
func (c *Cluster) PushHelperImage(ctx context.Context, image, binary string) (string, error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return "", fmt.Errorf("read the kuberunner binary for the helper image: %w", err)
	}
	ref, err := parseRef(image)
	if err != nil {
		return "", err
	}
	l, err := layer([]tarEntry{
		{name: "usr/", dir: true}, {name: "usr/local/", dir: true}, {name: "usr/local/bin/", dir: true},
		{name: "usr/local/bin/kuberunner", data: bin, mode: 0o755},
		{name: "tmp/", dir: true, mode: 0o1777},
	})
	if err != nil {
		return "", err
	}
	img, err := configure(v1.Config{
		Entrypoint: []string{"/usr/local/bin/kuberunner", "helper", "wait"},
		Labels:     map[string]string{"kuberunner.image": ref.String()},
	}, l)
	if err != nil {
		return "", err
	}
	return push(ctx, ref, img)
}

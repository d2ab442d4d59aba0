package localcluster

import (
	"context"
	"math/rand/v2"
)

// LargeImageMarker is a file only images from PushLargeImage hold, so a
// test can tell whether a job ran the large image or an older, small one
// the node holds under the same name.
const LargeImageMarker = "/etc/kuberunner-large"

// PushLargeImage pushes a busybox image for image with an extra layer of
// size random bytes — random so that compression cannot shrink the pull —
// for tests that need a pull to take long enough to be cut mid-way.
func (c *Cluster) PushLargeImage(ctx context.Context, image string, size int) (string, error) {
	ref, err := parseRef(image)
	if err != nil {
		return "", err
	}
	auth, err := c.remoteAuth(ref)
	if err != nil {
		return "", err
	}
	img, err := busyboxImage(ref.String())
	if err != nil {
		return "", err
	}
	data := make([]byte, size)
	r := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	for i := 0; i+8 <= len(data); i += 8 {
		v := r.Uint64()
		for j := range 8 {
			data[i+j] = byte(v >> (8 * j))
		}
	}
	big, err := layer([]tarEntry{{name: "etc/", dir: true}, {name: LargeImageMarker[1:], data: []byte("large\n"), mode: 0o644},
		{name: "large.bin", data: data, mode: 0o644}})
	if err != nil {
		return "", err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return "", err
	}
	layers, err := img.Layers()
	if err != nil {
		return "", err
	}
	withBig, err := configure(cf.Config, append(layers, big)...)
	if err != nil {
		return "", err
	}
	return push(ctx, ref, withBig, auth...)
}

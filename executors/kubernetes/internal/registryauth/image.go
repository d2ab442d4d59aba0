package registryauth

import (
	"github.com/distribution/reference"
)

// imageRef is where an image is pulled from, as the kubelet names it:
// the registry host[:port] ("docker.io" for Docker Hub) and the repository
// path with a leading "/" ("/library/busybox" for "busybox").
type imageRef struct{ host, path string }

func parseImage(image string) (imageRef, error) {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return imageRef{}, &ImageError{Image: image, Err: err}
	}
	return imageRef{reference.Domain(named), "/" + reference.Path(named)}, nil
}

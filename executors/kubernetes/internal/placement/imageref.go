package placement

import (
	"strings"

	"github.com/distribution/reference"
)

// imageKey is the name under which the kubelet lists an image in
// node.status.images: containerd records each image under its normalized
// reference, so `alpine` is listed as docker.io/library/alpine:latest. A
// reference with a digest is keyed by the digest alone, because the node
// runs what the digest names whatever tag it also carries.
func imageKey(image string) (string, error) {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return "", err
	}
	if d, ok := named.(reference.Digested); ok {
		return reference.TrimNamed(named).String() + "@" + d.Digest().String(), nil
	}
	return reference.TagNameOnly(named).String(), nil
}

// nodeImageKeys are the keys of every name one node lists, each name by
// itself: the kubelet lists tags and digests as separate names of one
// image. Names that are not references (a bare image ID) are skipped.
func nodeImageKeys(names []string) map[string]bool {
	keys := make(map[string]bool, len(names))
	for _, n := range names {
		// A bare image ID would parse as an image named "sha256".
		if strings.HasPrefix(n, "sha256:") {
			continue
		}
		if k, err := imageKey(n); err == nil {
			keys[k] = true
		}
	}
	return keys
}

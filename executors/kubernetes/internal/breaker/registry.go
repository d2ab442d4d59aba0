package breaker

import (
	"github.com/google/go-containerregistry/pkg/name"
)

// Registry is the host (host:port) an image is pulled from, as the
// kubelet resolves it: a name without a host is Docker Hub's, whose
// registry answers at index.docker.io. ok is false for a name that no
// runtime could pull, which then has no breaker.
func Registry(image string) (host string, ok bool) {
	ref, err := name.ParseReference(image, name.WeakValidation)
	if err != nil {
		return "", false
	}
	return ref.Context().RegistryStr(), true
}

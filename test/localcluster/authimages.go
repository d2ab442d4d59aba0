package localcluster

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// PushImageAs is PushImage authenticating as user, whichever registry
// image names: another account, or wrong credentials to watch the refusal.
func (c *Cluster) PushImageAs(ctx context.Context, image string, user RegistryUser) (string, error) {
	ref, err := parseRef(image)
	if err != nil {
		return "", err
	}
	return pushBusybox(ctx, ref, remote.WithAuth(basicAuth(user)))
}

// remoteAuth is how the harness authenticates to ref's registry: as the
// first of AuthRegistryUsers to an authenticated registry, anonymously to
// any other.
func (c *Cluster) remoteAuth(ref name.Reference) ([]remote.Option, error) {
	u, ok, err := c.harnessUser(ref.Context().RegistryStr())
	if !ok {
		return nil, err
	}
	return []remote.Option{remote.WithAuth(basicAuth(u))}, nil
}

// criAuth is remoteAuth for a pull through the CRI.
func (c *Cluster) criAuth(image string) (*runtimeapi.AuthConfig, error) {
	ref, err := parseRef(image)
	if err != nil {
		return nil, err
	}
	u, ok, err := c.harnessUser(ref.Context().RegistryStr())
	if !ok {
		return nil, err
	}
	return &runtimeapi.AuthConfig{Username: u.Username, Password: u.Password}, nil
}

// harnessUser is the account the harness uses for host, if it wants one.
func (c *Cluster) harnessUser(host string) (RegistryUser, bool, error) {
	if !isAuthRegistry(host) {
		return RegistryUser{}, false, nil
	}
	users, err := c.AuthRegistryUsers()
	if err != nil {
		return RegistryUser{}, false, fmt.Errorf("%s wants credentials: %w", host, err)
	}
	return users[0], true, nil
}

func basicAuth(u RegistryUser) authn.Authenticator {
	return &authn.Basic{Username: u.Username, Password: u.Password}
}

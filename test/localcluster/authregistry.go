package localcluster

import (
	"slices"

	"kuberunner/test/localcluster/tokenserver"
)

// The authenticated registries: two more Debian docker-registry processes,
// each with its own storage, on ports that containerd reaches over plain
// HTTP like RegistryHost. One wants HTTP basic auth (htpasswd); the other
// wants a bearer token from the token service, as GitLab's registry does.
// The token service (package tokenserver) listens on TokenAuthRegistryHost
// and passes every request but the tokens' to that registry on a private
// port: clients accept a realm on a loopback address only on the
// registry's own host:port. Both registries know the same accounts
// (AuthRegistryUsers).
const (
	// BasicAuthRegistryHost wants HTTP basic auth.
	BasicAuthRegistryHost = "127.0.0.1:5008"
	// TokenAuthRegistryHost wants a token from its realm, tokenRealm.
	TokenAuthRegistryHost = "127.0.0.1:5009"

	// tokenRegistryBackend is the token registry itself, behind the token
	// service; nothing but the service talks to it.
	tokenRegistryBackend = "127.0.0.1:5011"
	tokenRealm           = "http://" + TokenAuthRegistryHost + tokenserver.Path
	tokenService         = "kuberunner-registry"
	tokenIssuer          = "kuberunner-token-server"
)

// AuthRegistryHosts are the registries that want credentials.
var AuthRegistryHosts = []string{BasicAuthRegistryHost, TokenAuthRegistryHost}

// RegistryUser is an account of the authenticated registries. Printing one
// shows the user name only.
type RegistryUser = tokenserver.User

// authUserCount is how many accounts a cluster has: two, so that a test
// can run two jobs with different credentials that both succeed.
const authUserCount = 2

// Component names, also those of their pid and log files.
const (
	basicRegistryName = "registry-basic"
	tokenRegistryName = "registry-token"
	tokenServerName   = "token-server"
)

// authFile is a file under the cluster's authregistry/ folder.
func (c *Cluster) authFile(elem ...string) string {
	return c.path(append([]string{"authregistry"}, elem...)...)
}

func isAuthRegistry(host string) bool { return slices.Contains(AuthRegistryHosts, host) }

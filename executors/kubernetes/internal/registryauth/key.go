package registryauth

import (
	"fmt"
	"net/url"
	"strings"
)

// registryKey is what a credential is for, as the kubelet's keyring holds
// it: a host (with a port, and labels that may be globs such as
// *.example.com) and a path prefix, "" or starting with "/".
type registryKey struct{ host, path string }

// String is the key as the Secret holds it: host[:port][/path].
func (k registryKey) String() string { return k.host + k.path }

// dockerHub are the names Docker Hub goes by in credential files. They all
// become docker.io, the host the kubelet gives Docker Hub images, so that
// an entry for any of them reaches those images, path and all (the kubelet
// itself takes only a bare index.docker.io for Docker Hub).
var dockerHub = map[string]bool{"docker.io": true, "index.docker.io": true, "registry-1.docker.io": true}

// parseKey reads an auths key of DOCKER_AUTH_CONFIG or a payload URL the
// way the kubelet reads a credential's key: a scheme is optional and
// dropped, a leading /v1/ or /v2/ is an API path rather than a repository
// path, and the rest of the path is a prefix of the repositories it covers.
func parseKey(raw string) (registryKey, error) {
	s := strings.TrimSpace(raw)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return registryKey{}, fmt.Errorf("not a registry host")
	}
	host, path := strings.ToLower(u.Host), u.Path
	if strings.HasPrefix(path, "/v1/") || strings.HasPrefix(path, "/v2/") {
		path = path[3:]
	}
	if path == "/" {
		path = ""
	}
	if dockerHub[host] {
		host = "docker.io"
	}
	return registryKey{host, path}, nil
}

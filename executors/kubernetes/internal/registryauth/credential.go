package registryauth

import "net/http"

// Credential is a username and password for one registry key, and where
// they came from. The secret fields are unexported: they leave the package
// only through DockerConfigJSON.
type Credential struct {
	// Registry is the key the job's Secret holds it under:
	// host[:port][/path], Docker Hub as docker.io.
	Registry string
	Source   Source

	key                registryKey
	username, password string
}

func newCredential(k registryKey, src Source, username, password string) Credential {
	return Credential{Registry: k.String(), Source: src, key: k, username: username, password: password}
}

// String is the build log's line for it, e.g. "credentials for
// registry.example.com from DOCKER_AUTH_CONFIG (job variable)".
func (c Credential) String() string {
	return "credentials for " + c.Registry + " from " + c.Source.String()
}

// GoString keeps %#v from printing the secret fields.
func (c Credential) GoString() string { return "registryauth.Credential{" + c.String() + "}" }

// Authorize sends the credential with req as basic auth, as a registry's
// /v2/ takes it (the breaker's probe).
func (c Credential) Authorize(req *http.Request) { req.SetBasicAuth(c.username, c.password) }

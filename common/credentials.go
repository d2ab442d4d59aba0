package common

import "fmt"

// CredentialsTypeRegistry is the type of the job payload's credentials
// that log in to a container registry; GitLab sends one for $CI_REGISTRY,
// with the user gitlab-ci-token and the job token as its password.
const CredentialsTypeRegistry = "registry"

// DockerAuthConfigVariable is the variable that holds registry credentials
// as a Docker config.json, in the job's variables or the runner's
// environment. Its value is never public, wherever it comes from.
const DockerAuthConfigVariable = "DOCKER_AUTH_CONFIG"

// Credentials is one entry of the job payload's "credentials". Its String
// and GoString leave the password out, so that printing a job never shows
// the job token.
type Credentials struct {
	Type     string `json:"type"`
	URL      string `json:"url"`
	Username string `json:"username"`
	Password string `json:"password"`
}

func (c Credentials) String() string {
	return fmt.Sprintf("%s credentials for %s", c.Type, c.URL)
}

// GoString keeps %#v from printing the password too.
func (c Credentials) GoString() string {
	return fmt.Sprintf("common.Credentials{Type: %q, URL: %q}", c.Type, c.URL)
}

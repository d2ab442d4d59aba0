package registryauth

import (
	"encoding/base64"
	"encoding/json"
)

// DockerConfigJSON is the data of the job's kubernetes.io/dockerconfigjson
// Secret, under the key .dockerconfigjson: an auths entry per credential
// with username, password and auth, as `kubectl create secret
// docker-registry` writes them. The output is stable (keys sorted).
func DockerConfigJSON(creds []Credential) ([]byte, error) {
	type entry struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Auth     string `json:"auth"`
	}
	auths := make(map[string]entry, len(creds))
	for _, c := range creds {
		auths[c.Registry] = entry{c.username, c.password,
			base64.StdEncoding.EncodeToString([]byte(c.username + ":" + c.password))}
	}
	return json.Marshal(map[string]map[string]entry{"auths": auths})
}

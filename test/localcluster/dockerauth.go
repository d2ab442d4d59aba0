package localcluster

import (
	"encoding/base64"
	"encoding/json"
)

// DockerAuthConfig is a DOCKER_AUTH_CONFIG value, which is also the data
// of a kubernetes.io/dockerconfigjson Secret, giving u's credentials for
// each of hosts in the `auth` form (base64 of user:password).
func DockerAuthConfig(u RegistryUser, hosts ...string) string {
	type entry struct {
		Auth string `json:"auth"`
	}
	auths := map[string]entry{}
	for _, h := range hosts {
		auths[h] = entry{base64.StdEncoding.EncodeToString([]byte(u.Username + ":" + u.Password))}
	}
	b, _ := json.Marshal(map[string]any{"auths": auths}) // cannot fail: strings only
	return string(b)
}

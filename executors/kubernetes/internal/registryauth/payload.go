package registryauth

import (
	"fmt"

	"kuberunner/common"
)

// payloadCredentials reads the job payload's credentials of type registry;
// entries of other types are not for pulls and are skipped. GitLab fills
// these, so an unusable entry is a warning rather than the job's failure.
func payloadCredentials(entries []common.Credentials) ([]Credential, []string) {
	var creds []Credential
	var warnings []string
	seen := map[string]bool{}
	for _, e := range entries {
		if e.Type != common.CredentialsTypeRegistry {
			continue
		}
		key, err := parseKey(e.URL)
		switch {
		case err != nil:
			warnings = append(warnings, fmt.Sprintf("%s: credentials for %q: %v; ignored", JobPayload, e.URL, err))
		case e.Username == "" || e.Password == "":
			warnings = append(warnings, fmt.Sprintf("%s: credentials for %s lack a username or a password; ignored", JobPayload, key))
		case seen[key.String()]: // the first wins, as for the other sources
		default:
			seen[key.String()] = true
			creds = append(creds, newCredential(key, JobPayload, e.Username, e.Password))
		}
	}
	return creds, warnings
}

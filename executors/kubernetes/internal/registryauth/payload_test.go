package registryauth

import (
	"testing"

	"kuberunner/common"
)

func TestPayloadCredentials(t *testing.T) {
	creds, warnings := payloadCredentials([]common.Credentials{
		{Type: "registry", URL: "registry.gitlab.example.com:5005", Username: "gitlab-ci-token", Password: "job-token"},
		{Type: "something-else", URL: "other.example.com", Username: "u", Password: "p"},
		{Type: "registry", URL: "https://registry.gitlab.example.com:5005/", Username: "second", Password: "loses"},
		{Type: "registry", URL: "r2.example.com", Username: "gitlab-ci-token"},
		{Type: "registry", URL: "ftp://r3.example.com", Username: "u", Password: "p"},
	})
	if len(creds) != 1 {
		t.Fatalf("creds %v", creds)
	}
	c := creds[0]
	if c.Registry != "registry.gitlab.example.com:5005" || c.Source != JobPayload || c.username != "gitlab-ci-token" || c.password != "job-token" {
		t.Errorf("got %v (%s)", c, c.username)
	}
	if len(warnings) != 2 {
		t.Errorf("warnings %q, want one for the missing password and one for the bad URL", warnings)
	}
}

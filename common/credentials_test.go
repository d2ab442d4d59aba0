package common

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestCredentialsDecodeFromThePayload(t *testing.T) {
	var got []Credentials
	payload := `[{"type":"registry","url":"registry.example.com:5005","username":"gitlab-ci-token","password":"job-token-xyz"}]`
	if err := json.Unmarshal([]byte(payload), &got); err != nil {
		t.Fatal(err)
	}
	want := Credentials{Type: CredentialsTypeRegistry, URL: "registry.example.com:5005", Username: "gitlab-ci-token", Password: "job-token-xyz"}
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %#v", got)
	}
}

func TestCredentialsPrintNoPassword(t *testing.T) {
	c := Credentials{Type: "registry", URL: "registry.example.com", Username: "u", Password: "job-token-xyz"}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		t.Run(f, func(t *testing.T) {
			for _, s := range []string{fmt.Sprintf(f, c), fmt.Sprintf(f, []Credentials{c})} {
				if strings.Contains(s, c.Password) || !strings.Contains(s, c.URL) {
					t.Errorf("%q", s)
				}
			}
		})
	}
}

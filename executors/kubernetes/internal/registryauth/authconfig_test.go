package registryauth

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestParseAuthConfig(t *testing.T) {
	type cred struct{ registry, user, password string }
	for _, tc := range []struct {
		name     string
		value    string
		want     []cred
		warnings int
		errHas   string
	}{
		{"auth", `{"auths":{"registry.example.com":{"auth":"` + b64("alice:pw:with:colons") + `"}}}`,
			[]cred{{"registry.example.com", "alice", "pw:with:colons"}}, 0, ""},
		{"auth without padding", `{"auths":{"r.example.com":{"auth":"` + strings.TrimRight(b64("ab:c"), "=") + `"}}}`,
			[]cred{{"r.example.com", "ab", "c"}}, 0, ""},
		{"username and password", `{"auths":{"https://index.docker.io/v1/":{"username":"bob","password":"pw"}}}`,
			[]cred{{"docker.io", "bob", "pw"}}, 0, ""},
		{"auth wins over username and password", `{"auths":{"r.example.com":{"auth":"` + b64("a:1") + `","username":"b","password":"2"}}}`,
			[]cred{{"r.example.com", "a", "1"}}, 0, ""},
		{"several, sorted", `{"auths":{"b.example.com":{"auth":"` + b64("b:1") + `"},"a.example.com":{"auth":"` + b64("a:1") + `"}}}`,
			[]cred{{"a.example.com", "a", "1"}, {"b.example.com", "b", "1"}}, 0, ""},
		{"no auths", `{}`, nil, 0, ""},
		{"credential helpers are ignored", `{"auths":{"r.example.com":{}},"credsStore":"desktop","credHelpers":{"gcr.io":"gcloud"}}`, nil, 2, ""},
		{"a token alone is ignored", `{"auths":{"r.example.com":{"identitytoken":"tok"}}}`, nil, 1, ""},
		{"not JSON", `{"auths": {"r.example.com": {"auth": x}}}`, nil, 0, "is not valid JSON (syntax error at byte"},
		{"not an object", `"just a string"`, nil, 0, "is a JSON string, not an object"},
		{"auth of the wrong type", `{"auths":{"r.example.com":{"auth":42}}}`, nil, 0, "has a JSON number at auths.auth where a string belongs"},
		{"auth not base64", `{"auths":{"r.example.com":{"auth":"%%%"}}}`, nil, 0, `entry "r.example.com" has an auth that is not base64`},
		{"auth without a colon", `{"auths":{"r.example.com":{"auth":"` + b64("alice") + `"}}}`, nil, 0, "does not decode to username:password"},
		{"username without password", `{"auths":{"r.example.com":{"username":"alice"}}}`, nil, 0, "has a username or a password but not both"},
		{"bad key", `{"auths":{"ftp://r.example.com":{"auth":"` + b64("a:b") + `"}}}`, nil, 0, `entry "ftp://r.example.com" is not a registry host`},
		{"two names for Docker Hub", `{"auths":{"docker.io":{"auth":"` + b64("a:b") + `"},"https://index.docker.io/v1/":{"auth":"` + b64("c:d") + `"}}}`,
			nil, 0, "names the same registry as entry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			creds, warnings, err := parseAuthConfig(tc.value, JobAuthConfig)
			if tc.errHas != "" {
				var ce *ConfigError
				if !errors.As(err, &ce) || ce.Source != JobAuthConfig || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("err = %v, want a ConfigError with %q", err, tc.errHas)
				}
				if !strings.HasPrefix(err.Error(), "DOCKER_AUTH_CONFIG (job variable)") {
					t.Errorf("error does not name the source: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(warnings) != tc.warnings {
				t.Errorf("warnings %q, want %d", warnings, tc.warnings)
			}
			var got []cred
			for _, c := range creds {
				if c.Source != JobAuthConfig {
					t.Errorf("source %v", c.Source)
				}
				got = append(got, cred{c.Registry, c.username, c.password})
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("got %v, want %v", got[i], tc.want[i])
				}
			}
		})
	}
}

func TestAuthConfigErrorsSayWhatIsAllowed(t *testing.T) {
	_, _, err := parseAuthConfig("not json", RunnerAuthConfig)
	if err == nil || !strings.Contains(err.Error(), "DOCKER_AUTH_CONFIG (runner environment) is not valid JSON") ||
		!strings.Contains(err.Error(), `allowed: {"auths"`) {
		t.Errorf("err = %v", err)
	}
}

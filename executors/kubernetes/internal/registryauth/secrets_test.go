package registryauth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kuberunner/common"
)

// Every string this package makes for people — errors, warnings, log
// lines, String and GoString in every verb — is scanned for the passwords
// and auth values of all the sources, including those of broken entries.
func TestNothingPrintedHoldsASecret(t *testing.T) {
	secrets := []string{"pw-job-0001", "pw-runner-0002", "job-token-0003", "pw-broken-0004", "pw-half-0005", "tok-0006"}
	good := Inputs{
		JobAuthConfig:    authConfig("job.example.com", "alice:"+secrets[0]),
		RunnerAuthConfig: `{"auths":{"runner.example.com":{"username":"bob","password":"` + secrets[1] + `"},"tok.example.com":{"identitytoken":"` + secrets[5] + `"}},"credsStore":"x"}`,
		Payload: []common.Credentials{{Type: "registry", URL: "payload.example.com", Username: "gitlab-ci-token", Password: secrets[2]},
			{Type: "registry", URL: "ftp://bad.example.com", Username: "u", Password: secrets[2]}},
	}
	images := []string{"job.example.com/a", "runner.example.com/b", "payload.example.com/c", "none.example.com/d"}
	var printed []string
	r, err := Resolve(good, images)
	if err != nil {
		t.Fatal(err)
	}
	printed = append(printed, r.Warnings...)
	printed = append(printed, r.Descriptions()...)
	printed = append(printed, PlanPullSecrets(r, []string{"corp"}, false, "s").Log...)
	printed = append(printed, PlanPullSecrets(r, nil, true, "s").Log...)
	for _, image := range images {
		printed = append(printed, r.SentFor(image))
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		printed = append(printed, fmt.Sprintf(verb, r), fmt.Sprintf(verb, r.Credentials), fmt.Sprintf(verb, good.Payload))
	}
	for _, bad := range []string{
		`{"auths":{"r.example.com":{"auth":"` + b64("alice"+secrets[3]) + `"}}}`,    // no colon
		`{"auths":{"r.example.com":{"auth":"` + secrets[3] + `!"}}}`,                // not base64
		`{"auths":{"r.example.com":{"auth":"` + b64("alice:"+secrets[3]) + `" x}}}`, // syntax error right after it
		`{"auths":{"r.example.com":{"password":"` + secrets[4] + `"}}}`,             // half an entry
		`{"auths":{"r.example.com":{"password":` + secrets[4][:2] + `}}}`,           // invalid character from the secret
		`{"auths":{"r.example.com":{"auth":["` + b64("a:"+secrets[3]) + `"]}}}`,     // wrong type
		`{"auths":{"docker.io":{"auth":"` + b64("a:"+secrets[3]) + `"},"index.docker.io":{"auth":"` + b64("b:"+secrets[3]) + `"}}}`,
	} {
		for _, in := range []Inputs{{JobAuthConfig: bad}, {RunnerAuthConfig: bad}} {
			_, err := Resolve(in, images)
			if err == nil {
				t.Fatalf("no error for %s", bad)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("%v is not a ConfigError", err)
			}
			printed = append(printed, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
		}
	}
	scan(t, printed, secrets)
}

// scan fails for any printed string holding a secret, its base64 or the
// base64 of a user:secret pair.
func scan(t *testing.T, printed, secrets []string) {
	t.Helper()
	for _, p := range printed {
		for _, s := range secrets {
			for _, form := range []string{s, b64(s), strings.TrimRight(b64(s), "="), s[:len(s)-2]} {
				if strings.Contains(p, form) {
					t.Errorf("printed %q holds a secret (%q)", p, form)
				}
			}
			for _, user := range []string{"alice", "bob", "gitlab-ci-token", "a", "b"} {
				if pair := strings.TrimRight(b64(user+":"+s), "="); strings.Contains(p, pair[:len(pair)-4]) {
					t.Errorf("printed %q holds an auth value", p)
				}
			}
		}
	}
}

// Authorize sends the image's credential as basic auth, the one other way
// (besides DockerConfigJSON) a secret leaves the package.
func TestAuthorize(t *testing.T) {
	r, err := Resolve(Inputs{JobAuthConfig: authConfig("job.example.com", "alice:pw-1")}, []string{"job.example.com/a"})
	if err != nil {
		t.Fatal(err)
	}
	c, ok := r.For("job.example.com/a")
	if !ok {
		t.Fatal("no credential for the image")
	}
	req, _ := http.NewRequest(http.MethodGet, "https://job.example.com/v2/", nil)
	c.Authorize(req)
	if user, pass, ok := req.BasicAuth(); !ok || user != "alice" || pass != "pw-1" {
		t.Fatalf("basic auth %q %q %v", user, pass, ok)
	}
}

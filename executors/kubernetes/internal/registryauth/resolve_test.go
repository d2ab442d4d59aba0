package registryauth

import (
	"errors"
	"strings"
	"testing"

	"kuberunner/common"
)

func authConfig(entries ...string) string {
	var parts []string
	for i := 0; i+1 < len(entries); i += 2 {
		parts = append(parts, `"`+entries[i]+`":{"auth":"`+b64(entries[i+1])+`"}`)
	}
	return `{"auths":{` + strings.Join(parts, ",") + `}}`
}

func payload(url, user, pw string) []common.Credentials {
	return []common.Credentials{{Type: common.CredentialsTypeRegistry, URL: url, Username: user, Password: pw}}
}

func TestResolvePrecedenceAndSelection(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     Inputs
		images []string
		// want maps each image to "registry from-user" ("" for none).
		want map[string]string
	}{
		{"the job's DOCKER_AUTH_CONFIG wins over the runner's and the payload",
			Inputs{JobAuthConfig: authConfig("r.example.com", "job:1"), RunnerAuthConfig: authConfig("r.example.com", "runner:1"),
				Payload: payload("r.example.com", "gitlab-ci-token", "tok")},
			[]string{"r.example.com/app:v1"}, map[string]string{"r.example.com/app:v1": "r.example.com job"}},
		{"the runner's wins over the payload",
			Inputs{RunnerAuthConfig: authConfig("r.example.com", "runner:1"), Payload: payload("r.example.com", "gitlab-ci-token", "tok")},
			[]string{"r.example.com/app:v1"}, map[string]string{"r.example.com/app:v1": "r.example.com runner"}},
		{"the payload when nothing else covers the registry",
			Inputs{JobAuthConfig: authConfig("other.example.com", "job:1"), Payload: payload("r.example.com:5005", "gitlab-ci-token", "tok")},
			[]string{"r.example.com:5005/group/app:v1"}, map[string]string{"r.example.com:5005/group/app:v1": "r.example.com:5005 gitlab-ci-token"}},
		{"per registry: each image takes the first source that covers it",
			Inputs{JobAuthConfig: authConfig("a.example.com", "job:1"), RunnerAuthConfig: authConfig("b.example.com", "runner:1")},
			[]string{"a.example.com/x", "b.example.com/y", "c.example.com/z"},
			map[string]string{"a.example.com/x": "a.example.com job", "b.example.com/y": "b.example.com runner", "c.example.com/z": ""}},
		{"within a source the more specific path first",
			Inputs{JobAuthConfig: authConfig("r.example.com", "host:1", "r.example.com/team", "team:1")},
			[]string{"r.example.com/team/app", "r.example.com/other/app"},
			map[string]string{"r.example.com/team/app": "r.example.com/team team", "r.example.com/other/app": "r.example.com host"}},
		{"within a source a literal host before a glob",
			Inputs{JobAuthConfig: authConfig("*.example.com", "glob:1", "r.example.com", "literal:1")},
			[]string{"r.example.com/app", "s.example.com/app"},
			map[string]string{"r.example.com/app": "r.example.com literal", "s.example.com/app": "*.example.com glob"}},
		{"a more specific key in a later source does not beat an earlier source",
			Inputs{JobAuthConfig: authConfig("r.example.com", "job:1"), RunnerAuthConfig: authConfig("r.example.com/team", "runner:1")},
			[]string{"r.example.com/team/app"}, map[string]string{"r.example.com/team/app": "r.example.com job"}},
		{"Docker Hub under its names",
			Inputs{RunnerAuthConfig: authConfig("https://index.docker.io/v1/", "hub:1")},
			[]string{"busybox", "docker.io/library/alpine:3", "quay.io/x/y"},
			map[string]string{"busybox": "docker.io hub", "docker.io/library/alpine:3": "docker.io hub", "quay.io/x/y": ""}},
		{"no sources", Inputs{}, []string{"busybox"}, map[string]string{"busybox": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Resolve(tc.in, tc.images)
			if err != nil {
				t.Fatal(err)
			}
			used := map[string]bool{}
			for image, want := range tc.want {
				c, ok := r.For(image)
				got := ""
				if ok {
					got = c.Registry + " " + c.username
					used[c.Registry] = true
				}
				if got != want {
					t.Errorf("%s: got %q, want %q", image, got, want)
				}
			}
			if len(r.Credentials) != len(used) {
				t.Errorf("credentials %v, want only those the images use (%d)", r, len(used))
			}
			for i := 1; i < len(r.Credentials); i++ {
				if r.Credentials[i-1].Registry >= r.Credentials[i].Registry {
					t.Errorf("credentials not sorted: %v", r)
				}
			}
		})
	}
}

func TestResolveOneEntryPerRegistry(t *testing.T) {
	r, err := Resolve(Inputs{JobAuthConfig: authConfig("r.example.com", "a:1", "unused.example.com", "b:1")},
		[]string{"r.example.com/a", "r.example.com/b", "r.example.com/a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Credentials) != 1 || r.Credentials[0].Registry != "r.example.com" {
		t.Errorf("got %v", r)
	}
}

func TestResolveFailsClosed(t *testing.T) {
	t.Run("an invalid DOCKER_AUTH_CONFIG, even one no image needs", func(t *testing.T) {
		_, err := Resolve(Inputs{JobAuthConfig: authConfig("r.example.com", "a:1"), RunnerAuthConfig: "{"}, []string{"r.example.com/a"})
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Source != RunnerAuthConfig {
			t.Errorf("err = %v, want a ConfigError from the runner's environment", err)
		}
	})
	t.Run("an image that is no reference", func(t *testing.T) {
		_, err := Resolve(Inputs{}, []string{"busybox", "Not/Valid:Image"})
		var ie *ImageError
		if !errors.As(err, &ie) || ie.Image != "Not/Valid:Image" {
			t.Errorf("err = %v, want an ImageError", err)
		}
	})
}

func TestResolveWarns(t *testing.T) {
	r, err := Resolve(Inputs{
		JobAuthConfig: `{"auths":{"r.example.com":{}},"credsStore":"x"}`,
		Payload:       payload("r.example.com", "gitlab-ci-token", ""),
	}, []string{"r.example.com/a"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Warnings) != 3 || len(r.Credentials) != 0 {
		t.Errorf("warnings %q, credentials %v", r.Warnings, r)
	}
}

func TestSentFor(t *testing.T) {
	r, err := Resolve(Inputs{Payload: payload("127.0.0.1:5008", "gitlab-ci-token", "tok")},
		[]string{"127.0.0.1:5008/private:v1", "127.0.0.1:5009/private:v1"})
	if err != nil {
		t.Fatal(err)
	}
	for image, want := range map[string]string{
		"127.0.0.1:5008/private:v1": "credentials for 127.0.0.1:5008 from the job payload were sent",
		"127.0.0.1:5009/private:v1": "no credentials were sent for 127.0.0.1:5009",
		"busybox":                   "no credentials were sent for docker.io",
	} {
		if got := r.SentFor(image); got != want {
			t.Errorf("%s: %q, want %q", image, got, want)
		}
	}
}

package registryauth

import (
	"testing"
)

func TestDockerConfigJSON(t *testing.T) {
	r, err := Resolve(Inputs{
		JobAuthConfig: authConfig("r.example.com:5005", "alice:pw1"),
		Payload:       payload("https://index.docker.io/v1/", "bob", "pw2"),
	}, []string{"busybox", "r.example.com:5005/app"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := DockerConfigJSON(r.Credentials)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"auths":{"docker.io":{"username":"bob","password":"pw2","auth":"` + b64("bob:pw2") + `"},` +
		`"r.example.com:5005":{"username":"alice","password":"pw1","auth":"` + b64("alice:pw1") + `"}}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// What the Secret holds reads back as the same credentials.
	back, _, err := parseAuthConfig(string(got), JobAuthConfig)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range back {
		if c.Registry != r.Credentials[i].Registry || c.username != r.Credentials[i].username || c.password != r.Credentials[i].password {
			t.Errorf("read back %d: %v", i, c)
		}
	}
}

func TestDockerConfigJSONEmpty(t *testing.T) {
	got, err := DockerConfigJSON(nil)
	if err != nil || string(got) != `{"auths":{}}` {
		t.Errorf("got %s, %v", got, err)
	}
}

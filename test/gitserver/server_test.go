package gitserver

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

func TestServer(t *testing.T) {
	s := New(t, "s3cret-token")
	r := s.NewRepo(t, "group/project")
	first := r.Commit(t, "main", "first", map[string]string{"README": "one\n"})
	second := r.Commit(t, "feature", "second", map[string]string{"dir/file": "two\n"})
	r.Tag(t, "v1", first, "release v1")
	r.SetRef(t, "refs/pipelines/7", second)

	t.Run("git CLI with the token lists every ref", func(t *testing.T) {
		out := s.git.run(t, "", "ls-remote", r.AuthURL())
		for _, want := range []string{
			first + "\trefs/heads/main",
			second + "\trefs/heads/feature",
			second + "\trefs/pipelines/7",
			first + "\trefs/tags/v1^{}",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("ls-remote lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("without credentials is 401 with a challenge", func(t *testing.T) {
		res, err := http.Get(r.URL() + "/info/refs?service=git-upload-pack")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Basic ") {
			t.Fatalf("got %d, WWW-Authenticate %q", res.StatusCode, res.Header.Get("WWW-Authenticate"))
		}
	})

	t.Run("a wrong token or user is refused", func(t *testing.T) {
		for _, c := range [][2]string{{TokenUser, "wrong"}, {"someone", s.Token}} {
			req, _ := http.NewRequest(http.MethodGet, r.URL()+"/info/refs?service=git-upload-pack", nil)
			req.SetBasicAuth(c[0], c[1])
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: got %d, want 401", c[0], res.StatusCode)
			}
		}
	})

	t.Run("listens on IPv4 loopback", func(t *testing.T) {
		if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
			t.Fatalf("URL %s", s.URL)
		}
	})

	t.Run("requests are recorded without passwords", func(t *testing.T) {
		var authorized, refused int
		for _, req := range s.Requests() {
			if req.Authorized {
				authorized++
			} else {
				refused++
			}
		}
		if authorized == 0 || refused < 3 {
			t.Fatalf("authorized %d, refused %d: %+v", authorized, refused, s.Requests())
		}
	})

	// git ls-remote must have failed with the wrong token: the server is
	// what refuses, not the client.
	t.Run("git CLI with a wrong token fails", func(t *testing.T) {
		cmd := exec.Command(s.git.path, "ls-remote", strings.Replace(r.AuthURL(), s.Token, "wrong", 1))
		cmd.Env = append(s.git.env(), "PATH=/usr/bin:/bin")
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Fatalf("ls-remote succeeded with a wrong token:\n%s", out)
		}
	})
}

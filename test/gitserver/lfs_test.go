package gitserver

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestLFS(t *testing.T) {
	s := New(t, "lfs-token")
	r := s.NewRepo(t, "group/project")
	r.CommitLFS(t, "main", "lfs", map[string]string{"big.bin": "the real content\n"})
	pointer := s.AddLFSObject([]byte("the real content\n"))
	oid := strings.TrimPrefix(strings.Split(pointer, "\n")[1], "oid sha256:")

	t.Run("the commit holds a pointer and .gitattributes", func(t *testing.T) {
		if got := r.Git(t, "show", "HEAD:big.bin"); got+"\n" != pointer {
			t.Fatalf("big.bin is %q, want the pointer %q", got, pointer)
		}
		if got := r.Git(t, "show", "HEAD:.gitattributes"); got != "big.bin filter=lfs diff=lfs merge=lfs -text" {
			t.Fatalf(".gitattributes is %q", got)
		}
	})

	batch := func(t *testing.T, user, pass, body string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, r.URL()+"/info/lfs/objects/batch", strings.NewReader(body))
		req.Header.Set("Accept", lfsMediaType)
		req.Header.Set("Content-Type", lfsMediaType)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	ask := `{"operation":"download","transfers":["basic"],"objects":[{"oid":"` + oid + `","size":17},{"oid":"` + strings.Repeat("0", 64) + `","size":1}]}`

	t.Run("a batch without credentials is refused", func(t *testing.T) {
		if code, _ := batch(t, "", "", ask); code != http.StatusUnauthorized {
			t.Fatalf("got %d", code)
		}
	})

	t.Run("a batch answers a download or a 404 per object", func(t *testing.T) {
		code, out := batch(t, TokenUser, s.Token, ask)
		objs, _ := out["objects"].([]any)
		if code != http.StatusOK || len(objs) != 2 {
			t.Fatalf("got %d %v", code, out)
		}
		href := objs[0].(map[string]any)["actions"].(map[string]any)["download"].(map[string]any)["href"].(string)
		if want := r.URL() + "/gitlab-lfs/objects/" + oid; href != want {
			t.Fatalf("href %s, want %s", href, want)
		}
		if e := objs[1].(map[string]any)["error"].(map[string]any); e["code"] != float64(404) {
			t.Fatalf("unknown object: %v", e)
		}
		for _, c := range [][2]string{{"", ""}, {TokenUser, s.Token}} {
			req, _ := http.NewRequest(http.MethodGet, href, nil)
			if c[0] != "" {
				req.SetBasicAuth(c[0], c[1])
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if c[0] == "" && res.StatusCode != http.StatusUnauthorized || c[0] != "" && string(b) != "the real content\n" {
				t.Fatalf("download with %q: %d %q", c[0], res.StatusCode, b)
			}
		}
	})

	t.Run("with header auth the answer carries the credentials", func(t *testing.T) {
		s.LFSHeaderAuth(true)
		defer s.LFSHeaderAuth(false)
		_, out := batch(t, TokenUser, s.Token, ask)
		o := out["objects"].([]any)[0].(map[string]any)
		h := o["actions"].(map[string]any)["download"].(map[string]any)["header"].(map[string]any)
		if o["authenticated"] != true || !strings.HasPrefix(h["Authorization"].(string), "Basic ") {
			t.Fatalf("answer %v", o)
		}
	})

	t.Run("an upload is refused", func(t *testing.T) {
		if code, _ := batch(t, TokenUser, s.Token, `{"operation":"upload","objects":[]}`); code != http.StatusUnprocessableEntity {
			t.Fatalf("got %d", code)
		}
	})
}

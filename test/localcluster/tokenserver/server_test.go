package tokenserver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newTestServer(t *testing.T) (*httptest.Server, *Signer) {
	t.Helper()
	data, err := Htpasswd([]User{{"alice", "pw-alice"}})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := ParseHtpasswd(data)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Accounts: acc, Signer: newSigner(t)}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, s.Signer
}

func TestTokenRequests(t *testing.T) {
	srv, signer := newTestServer(t)
	get := func(user, pw, query string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, srv.URL+Path+"?"+query, nil)
		if user != "" {
			r.SetBasicAuth(user, pw)
		}
		return r
	}
	post := func(form url.Values) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, srv.URL+Path, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	scope := "service=test-service&scope=repository:img:pull,push&scope=registry:catalog:*"
	for _, tc := range []struct {
		name    string
		req     *http.Request
		status  int
		granted int // repository grants in the token
	}{
		{"GET with the right password", get("alice", "pw-alice", scope), 200, 1},
		{"GET without credentials: a token granting nothing", get("", "", scope), 200, 0},
		{"GET with a wrong password", get("alice", "wrong", scope), 401, 0},
		{"GET for an unknown user", get("mallory", "pw-alice", scope), 401, 0},
		{"GET for another service", get("alice", "pw-alice", "service=other&scope=repository:img:pull"), 400, 0},
		{"GET with a malformed scope", get("alice", "pw-alice", "scope=repository:img"), 400, 0},
		{"POST password grant", post(url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"pw-alice"},
			"service": {"test-service"}, "scope": {"repository:img:pull repository:other:pull"}}), 200, 2},
		{"POST with a wrong password", post(url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"x"}}), 401, 0},
		{"POST refresh grant is not supported", post(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}), 400, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			var body struct {
				Token       string `json:"token"`
				AccessToken string `json:"access_token"`
				ExpiresIn   int    `json:"expires_in"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if tc.status != 200 {
				if body.Token != "" {
					t.Error("an error answer carries a token")
				}
				return
			}
			if body.Token == "" || body.AccessToken != body.Token || body.ExpiresIn != 300 {
				t.Fatalf("answer %+v", body)
			}
			claims := verifyLikeDistribution(t, signer, body.Token)
			if got := len(claims["access"].([]any)); got != tc.granted {
				t.Errorf("token grants %d scopes, want %d", got, tc.granted)
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	srv, _ := newTestServer(t)
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status %d", resp.StatusCode)
	}
}

func TestOtherPathsGoUpstream(t *testing.T) {
	s := &Server{Upstream: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(418) })}
	for path, want := range map[string]int{"/v2/": 418, "/v2/img/manifests/v1": 418, "/healthz": 200} {
		t.Run(path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != want {
				t.Errorf("status %d, want %d", rec.Code, want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	data, _ := Htpasswd([]User{{"alice", "pw"}})
	key, cert, err := NewSigningKey(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"htpasswd": data, "key": key, "cert": cert}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := func(n string) string { return filepath.Join(dir, n) }
	s, err := Load(p("htpasswd"), p("key"), p("cert"), "i", "s")
	if err != nil || !s.Accounts.Verify("alice", "pw") || s.Signer.Service != "s" {
		t.Fatalf("Load: %v", err)
	}
	if _, err := Load(p("missing"), p("key"), p("cert"), "i", "s"); err == nil {
		t.Error("a missing htpasswd file was accepted")
	}
	if _, err := Load(p("htpasswd"), p("cert"), p("key"), "i", "s"); err == nil {
		t.Error("key and certificate swapped were accepted")
	}
}

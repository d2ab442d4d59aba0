package tokenserver

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"
)

// Path is where tokens are served, as on GitLab.
const Path = "/jwt/auth"

// Server answers token requests at Path, 200 at /healthz, and passes
// every other request to Upstream, the registry: clients such as
// go-containerregistry accept a realm on a loopback address only when it
// is the registry's own host:port, so the service fronts the registry.
type Server struct {
	Accounts Accounts
	Signer   *Signer
	// Upstream serves the registry API; nil answers 404.
	Upstream http.Handler
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives one line per request (user and scopes, never a
	// password); nil discards them.
	Log *log.Logger
}

// Load builds a Server from the htpasswd file and the PEM key and
// certificate that NewSigningKey made.
func Load(htpasswdPath, keyPath, certPath, issuer, service string) (*Server, error) {
	files, err := readFiles(htpasswdPath, keyPath, certPath)
	if err != nil {
		return nil, err
	}
	acc, err := ParseHtpasswd(files[0])
	if err != nil {
		return nil, err
	}
	signer, err := NewSigner(files[1], files[2], issuer, service)
	if err != nil {
		return nil, err
	}
	return &Server{Accounts: acc, Signer: signer}, nil
}

func readFiles(paths ...string) ([][]byte, error) {
	out := make([][]byte, len(paths))
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("token server: %w", err)
		}
		out[i] = b
	}
	return out, nil
}

// Handler routes Path, /healthz and the rest to Upstream.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(Path, s.token)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	if s.Upstream != nil {
		mux.Handle("/", s.Upstream)
	}
	return mux
}

// request is what a token request asks for, by either method.
type request struct {
	user, password, service string
	scopes                  []string
	hasCredentials          bool
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	req, status, msg := parseRequest(r)
	if status == http.StatusOK {
		status, msg = s.check(req)
	}
	if status != http.StatusOK {
		s.logf("%s %s: %d %s", r.Method, req.user, status, msg)
		writeError(w, status, msg)
		return
	}
	asked, err := ParseScopes(req.scopes)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	granted := grant(asked, req.hasCredentials)
	now := s.now()
	tok, err := s.Signer.Sign(req.user, granted, now)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	s.logf("%s user=%q asked=%v granted=%d", r.Method, req.user, req.scopes, len(granted))
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token": tok, "access_token": tok,
		"expires_in": int(TokenTTL / time.Second), "issued_at": now.UTC().Format(time.RFC3339),
	})
}

// parseRequest reads a GET (basic auth, repeated scope parameters) or an
// OAuth2 password grant POST (form fields), the two ways clients ask.
func parseRequest(r *http.Request) (request, int, string) {
	var req request
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		req.user, req.password, req.hasCredentials = r.BasicAuth()
		req.service, req.scopes = q.Get("service"), q["scope"]
	case http.MethodPost:
		if err := r.ParseForm(); err != nil {
			return req, http.StatusBadRequest, "unreadable form"
		}
		if g := r.PostForm.Get("grant_type"); g != "password" {
			return req, http.StatusBadRequest, fmt.Sprintf("unsupported grant_type %q: only password", g)
		}
		req.user, req.password, req.hasCredentials = r.PostForm.Get("username"), r.PostForm.Get("password"), true
		req.service, req.scopes = r.PostForm.Get("service"), r.PostForm["scope"]
	default:
		return req, http.StatusMethodNotAllowed, "GET or POST"
	}
	return req, http.StatusOK, ""
}

// check refuses wrong credentials and a service other than the registry's.
func (s *Server) check(req request) (int, string) {
	if req.service != "" && req.service != s.Signer.Service {
		return http.StatusBadRequest, fmt.Sprintf("unknown service %q", req.service)
	}
	if req.hasCredentials && !s.Accounts.Verify(req.user, req.password) {
		return http.StatusUnauthorized, "invalid username or password"
	}
	return http.StatusOK, ""
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="kuberunner registry token"`)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": http.StatusText(status), "message": msg}}})
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) logf(format string, args ...any) {
	if s.Log != nil {
		s.Log.Printf(format, args...)
	}
}

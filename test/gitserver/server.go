package gitserver

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TokenUser is the user name GitLab expects with a CI job token.
const TokenUser = "gitlab-ci-token"

// Server is a Git smart-HTTP server on 127.0.0.1.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT (https with TLS),
	// without credentials.
	URL string
	// Token is the job token every request must carry as its password.
	Token string
	// Root holds the bare repositories, one per project, as
	// Root/<group>/<project>.git (git http-backend's GIT_PROJECT_ROOT).
	Root string

	git *gitCLI

	mu       sync.Mutex
	requests []Request
	lfs      lfsStore
}

// Request is one HTTP request the server answered.
type Request struct {
	Method string
	// Path is the URL path, without the query.
	Path string
	// User is the basic-auth user name the request carried, "" for none.
	User string
	// Authorized is true when the credentials were right and the request
	// reached git http-backend.
	Authorized bool
}

// New starts a server on 127.0.0.1 that accepts the user TokenUser with
// token as its password. It fails the test if git or git http-backend is
// missing.
func New(t testing.TB, token string) *Server {
	t.Helper()
	return NewOn(t, token, "127.0.0.1")
}

// NewOn is New listening on host, an IPv4 address of this machine: a job
// pod cannot reach the host's loopback, so the cluster tests serve on the
// node's own address, which never leaves the machine.
func NewOn(t testing.TB, token, host string, opts ...Option) *Server {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if token == "" {
		t.Fatal("gitserver: New needs a non-empty token")
	}
	g := findGit(t)
	s := &Server{Token: token, Root: t.TempDir(), git: g, lfs: lfsStore{objects: map[string][]byte{}}}

	backend := &cgi.Handler{
		Path: g.backend,
		Env: append(g.env(),
			"GIT_PROJECT_ROOT="+s.Root,
			"GIT_HTTP_EXPORT_ALL=1",
		),
		Stderr: logWriter{t},
	}

	// httptest.NewServer would also pick 127.0.0.1, but may fall back to
	// [::1] or follow -httptest.serve; the listener is made here so that
	// the server can only ever be on IPv4 loopback.
	l, err := net.Listen("tcp4", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("gitserver: listen on %s: %v", host, err)
	}
	srv := httptest.NewUnstartedServer(s.authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.serveLFS(w, r) {
			backend.ServeHTTP(w, r)
		}
	})))
	srv.Listener.Close()
	srv.Listener = l
	o.start(srv)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// authenticate passes a request to next only with the right credentials.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		authorized := ok && user == TokenUser &&
			subtle.ConstantTimeCompare([]byte(pass), []byte(s.Token)) == 1
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, User: user, Authorized: authorized})
		s.mu.Unlock()
		if !authorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="kuberunner test git server"`)
			http.Error(w, "HTTP Basic: Access denied", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Requests returns the requests answered so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RepoURL is the clone URL of the project name ("group/project"),
// without credentials.
func (s *Server) RepoURL(name string) string {
	return s.URL + "/" + strings.Trim(name, "/") + ".git"
}

// AuthURL is RepoURL with gitlab-ci-token:<token> as its userinfo, the way
// GitLab hands a job its repository URL.
func (s *Server) AuthURL(name string) string {
	u, err := url.Parse(s.RepoURL(name))
	if err != nil {
		panic(err) // RepoURL always parses
	}
	u.User = url.UserPassword(TokenUser, s.Token)
	return u.String()
}

// NewRepo creates the bare repository of the project name ("group/project")
// and a scratch working repository to build its history in. The bare
// repository is empty until the first Commit.
func (s *Server) NewRepo(t testing.TB, name string) *Repo {
	t.Helper()
	name = strings.Trim(name, "/")
	if name == "" || !filepath.IsLocal(name) {
		t.Fatalf("gitserver: bad project name %q", name)
	}
	bare := filepath.Join(s.Root, filepath.FromSlash(name)+".git")
	if err := os.MkdirAll(filepath.Dir(bare), 0o755); err != nil {
		t.Fatalf("gitserver: %v", err)
	}
	s.git.run(t, "", "init", "--quiet", "--bare", "--initial-branch=main", bare)
	work := t.TempDir()
	s.git.run(t, work, "init", "--quiet", "--initial-branch=main")
	s.git.run(t, work, "remote", "add", "origin", bare)
	return &Repo{Name: name, Bare: bare, work: work, srv: s}
}

// Git runs the git CLI in dir with the server's isolated environment (no
// system or global configuration) and returns its trimmed stdout, failing
// the test on a non-zero exit. Tests use it to look at what a client
// fetched, with git's own eyes.
func (s *Server) Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	return s.git.run(t, dir, args...)
}

// logWriter sends git http-backend's stderr to the test log.
type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Logf("git http-backend: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

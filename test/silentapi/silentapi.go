// Package silentapi is a Kubernetes API server that takes every request
// and never answers, for the tests of what a job and its cleanup do when
// the API server hangs. Only tests import it.
package silentapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// Server counts the requests it holds; each is let go when its client
// gives up or the test ends.
type Server struct {
	*httptest.Server
	requests atomic.Int32
}

// Start serves until t ends, over TLS (a certificate of httptest's own
// CA) when tls is set.
func Start(t testing.TB, tls bool) *Server {
	s := &Server{}
	release := make(chan struct{})
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	if tls {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	t.Cleanup(func() { close(release) }) // first: Close waits for the held requests
	return s
}

// Requests is how many requests the server has taken.
func (s *Server) Requests() int32 { return s.requests.Load() }

// Kubeconfig writes a kubeconfig that points at the server (its
// certificate not verified) and returns its path.
func (s *Server) Kubeconfig(t testing.TB) string {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: %q, insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: not-a-secret}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`, s.URL)
	if err := os.WriteFile(path, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

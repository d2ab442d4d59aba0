//go:build integration

package clustertest

import (
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"kuberunner/test/localcluster"
)

// Front is a registry the test controls, on one of localcluster.FrontHosts: it
// passes requests to the local registry through the test's handler, which
// may answer them itself (429, 401, a stall) instead. containerd pulls
// from it over plain HTTP like from the local registry.
type Front struct {
	// Host is its host:port, to use in image names in place of
	// localcluster.RegistryHost.
	Host string

	srv   *http.Server
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// FrontHandler answers one request; next is the local registry.
type FrontHandler func(w http.ResponseWriter, r *http.Request, next http.Handler)

// StartFront serves h on the first free front port until the test ends.
// Passing nil forwards everything.
func StartFront(t testing.TB, h FrontHandler) *Front {
	t.Helper()
	NeedRegistry(t)
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request, next http.Handler) { next.ServeHTTP(w, r) }
	}
	var ln net.Listener
	var err error
	for _, host := range localcluster.FrontHosts {
		if ln, err = net.Listen("tcp", host); err == nil {
			break
		}
	}
	if ln == nil {
		t.Fatalf("no free registry front port among %v: %v", localcluster.FrontHosts, err)
	}
	target := &url.URL{Scheme: "http", Host: localcluster.RegistryHost}
	proxy := httputil.NewSingleHostReverseProxy(target)
	f := &Front{Host: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	f.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(w, r, proxy) }),
		ConnState: func(c net.Conn, s http.ConnState) {
			f.mu.Lock()
			defer f.mu.Unlock()
			switch s {
			case http.StateNew:
				f.conns[c] = struct{}{}
			case http.StateClosed, http.StateHijacked:
				delete(f.conns, c)
			}
		},
	}
	go func() {
		if err := f.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Logf("registry front %s: %v", f.Host, err)
		}
	}()
	t.Cleanup(func() { f.srv.Close() })
	return f
}

// Image is image (a local-registry reference or a short name) as served by
// the front.
func (f *Front) Image(image string) string {
	return f.Host + strings.TrimPrefix(localcluster.ImageRef(image), localcluster.RegistryHost)
}

// Kill closes the listener and every open connection at once, as a
// registry process that dies mid-transfer does.
func (f *Front) Kill() {
	f.srv.Close()
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		c.Close()
	}
}

package gitsource

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	gitclient "github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"kuberunner/helpers/clienttls"
)

// TLS towards GitLab: the runner's tls-* files travel in Request.TLS, and
// every HTTP request of a Run, go-git's and any other (LFS), goes through
// the one transport HTTPClient builds from them: the system's roots plus
// the CA, and the client certificate.
//
// go-git takes a CA bundle and a client certificate on FetchOptions, but a
// submodule's update has no such options and would fall back to the
// system's roots. So go-git's http and https protocols are installed once,
// process-wide, on a client whose transport is chosen per request from the
// request's context: session.network puts the Run's transport there. A
// request outside a Run gets http.DefaultTransport, which is what go-git
// would have used; none ever skips verification.

// HTTPClient is the client for req's HTTP requests: it trusts the system's
// roots plus req.TLS's CA and presents its client certificate, if any.
// Run uses it for the clone; LFS downloads must use it too.
func HTTPClient(req Request) (*http.Client, error) {
	var m clienttls.Material
	if req.TLS != nil {
		m = *req.TLS
	}
	tr, err := m.Transport(nil)
	if err != nil {
		return nil, &RequestError{Field: "tls", Problem: err.Error()}
	}
	return &http.Client{Transport: tr}, nil
}

// checkTLS validates req.TLS without touching the network.
func (r Request) checkTLS() error {
	if r.TLS == nil {
		return nil
	}
	if err := r.TLS.Check(); err != nil {
		return &RequestError{Field: "tls", Problem: err.Error()}
	}
	return nil
}

// trusted says which roots verify the server, for messages.
func (r Request) trusted() string {
	if r.TLS == nil {
		return clienttls.Material{}.Trusted()
	}
	return r.TLS.Trusted()
}

type transportKey struct{}

// withTransport makes go-git's requests under ctx use rt.
func withTransport(ctx context.Context, rt http.RoundTripper) context.Context {
	installRouting()
	return context.WithValue(ctx, transportKey{}, rt)
}

var routing sync.Once

// installRouting makes go-git's http and https go through routed, once.
func installRouting() {
	routing.Do(func() {
		c := githttp.NewClient(&http.Client{Transport: routed{}})
		gitclient.InstallProtocol("https", c)
		gitclient.InstallProtocol("http", c)
	})
}

// routed sends a request with the transport its context names.
type routed struct{}

func (routed) RoundTrip(r *http.Request) (*http.Response, error) {
	if rt, ok := r.Context().Value(transportKey{}).(http.RoundTripper); ok {
		return rt.RoundTrip(r)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// CertificateError is a server whose TLS certificate did not verify with
// the roots the request trusts. The clone fails; nothing retries without
// verification.
type CertificateError struct {
	// Host is the server's host:port.
	Host string
	// Trusted names the roots: the system's, and tls-ca-file if set.
	Trusted string
	Err     error
}

func (e *CertificateError) Error() string {
	return fmt.Sprintf("the TLS certificate of %s cannot be verified with %s: %v", e.Host, e.Trusted, e.Err)
}

func (e *CertificateError) Unwrap() error { return e.Err }

// certificateError is err as a *CertificateError when it is a certificate
// that did not verify, else err.
func (s *session) certificateError(err error) error {
	if !clienttls.IsVerifyError(err) {
		return err
	}
	host := s.url.Host
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Host
		}
		err = ue.Err // its URL is said already
	}
	return &CertificateError{Host: hostPort(&url.URL{Scheme: "https", Host: host}), Trusted: s.req.trusted(), Err: err}
}

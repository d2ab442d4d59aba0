package gitserver

import (
	"crypto/tls"
	"net/http/httptest"
)

// Option changes how NewOn serves.
type Option func(*options)

type options struct {
	cert *tls.Certificate
}

// TLS serves https with cert, which must hold the address the server
// listens on (test/pki makes one from a private CA).
func TLS(cert tls.Certificate) Option {
	return func(o *options) { o.cert = &cert }
}

// start starts srv over http, or https with the option's certificate.
func (o options) start(srv *httptest.Server) {
	if o.cert == nil {
		srv.Start()
		return
	}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{*o.cert}}
	srv.StartTLS()
}

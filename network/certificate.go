package network

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// CertificateError is a server whose TLS certificate could not be
// verified. It is not retried: an unknown authority, a name the
// certificate does not hold or an expired certificate stays so however
// often it is asked, and retrying only delays the message by a minute.
type CertificateError struct {
	Op string
	// Host is the server's host:port.
	Host string
	Err  error
}

func (e *CertificateError) Error() string {
	return fmt.Sprintf("%s: the TLS certificate of %s cannot be verified (not retried; trust its CA with SSL_CERT_FILE or SSL_CERT_DIR, or fix the URL's host): %v", e.Op, e.Host, e.Err)
}

func (e *CertificateError) Unwrap() error { return e.Err }

// isCertificateError reports whether err is a failure to verify a
// certificate, as opposed to a connection that failed.
func isCertificateError(err error) bool {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify)
}

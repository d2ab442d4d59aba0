package clienttls

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
)

// IsVerifyError reports whether err, however wrapped, is a server
// certificate that did not verify (unknown authority, a name it does not
// hold, expired), as opposed to a connection that failed. It is never
// worth retrying.
func IsVerifyError(err error) bool {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify)
}

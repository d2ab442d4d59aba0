package clienttls

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Which failures are certificate failures: each kind of x509 verification
// error, however wrapped, and not a connection that failed.
func TestIsVerifyError(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("post: %w", err) }
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"unknown authority", x509.UnknownAuthorityError{}, true},
		{"host name", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "gitlab.example.com"}, true},
		{"expired", x509.CertificateInvalidError{Reason: x509.Expired}, true},
		{"tls verification", &tls.CertificateVerificationError{Err: errors.New("x509: something")}, true},
		{"wrapped", wrap(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), true},
		{"connection refused", wrap(&net.OpError{Op: "dial", Err: errors.New("connection refused")}), false},
		{"unexpected EOF", wrap(io.ErrUnexpectedEOF), false},
		{"other tls failure", wrap(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, IsVerifyError(tc.err))
		})
	}
}

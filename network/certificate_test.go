package network

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/coordinator"
)

// A certificate that cannot be verified does not become valid by asking
// again: the request fails at once, naming the host, instead of being
// retried like a transport error.
func TestCertificateErrorsAreNotRetried(t *testing.T) {
	gitlab := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(gitlab.Close)
	port := gitlab.URL[strings.LastIndexByte(gitlab.URL, ':')+1:]
	for _, tc := range []struct {
		name string
		host string
		// trusted: the client trusts the test server's CA.
		trusted bool
	}{
		{"unknown authority", "127.0.0.1:" + port, false},
		{"name not in the certificate", "localhost:" + port, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			if tc.trusted {
				hc = gitlab.Client()
			}
			clock := coordinator.NewAutoClock(clockStart)
			c, err := New(Config{URL: withUserinfo("https://" + tc.host), Token: runnerToken, SystemID: testSystem,
				HTTPClient: hc, Clock: clock})
			require.NoError(t, err)

			err = c.Verify(t.Context())

			var ce *CertificateError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.host, ce.Host)
			assert.Empty(t, clock.Waits(), "no retry")
			var gu *GiveUpError
			assert.False(t, errors.As(err, &gu), "no retry: %v", err)
			assert.Contains(t, err.Error(), tc.host)
			assertNoSecret(t, err.Error())
		})
	}
}

// Which failures are certificate failures: each kind of x509 verification
// error, however wrapped, and not a connection that failed.
func TestIsCertificateError(t *testing.T) {
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
			assert.Equal(t, tc.want, isCertificateError(tc.err))
		})
	}
}

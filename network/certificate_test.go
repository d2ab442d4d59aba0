package network

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/helpers/clienttls"
	"kuberunner/test/coordinator"
	"kuberunner/test/pki"
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

// A GitLab whose certificate comes from a private CA: the client trusts it
// through tls-ca-file (added to the system's roots) and presents the
// client certificate; without the CA, or with another CA, the request
// fails at once with a *CertificateError that names the host and the CA
// file in use.
func TestPrivateCA(t *testing.T) {
	ca := pki.NewTestCA(t, "private GitLab CA")
	srv := coordinator.NewTLS(t, ca.Serving(t, "127.0.0.1").TLS(), runnerToken)
	host := strings.TrimPrefix(srv.URL, "https://")
	caFile := pki.WriteFile(t, "ca.pem", ca.CertPEM())
	other := pki.NewTestCA(t, "another CA").CertPEM()
	otherFile := pki.WriteFile(t, "other.pem", other)
	for _, tc := range []struct {
		name   string
		caFile string
		ca     []byte
		want   string // "" for success
	}{
		{"trusted through tls-ca-file", caFile, ca.CertPEM(), ""},
		{"no tls-ca-file", "", nil, "the TLS certificate of " + host + " cannot be verified with the system's CA certificates (not retried; set tls-ca-file"},
		{"another CA", otherFile, other,
			"the TLS certificate of " + host + " cannot be verified with the system's CA certificates and tls-ca-file " + otherFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := clienttls.Material{CAFile: tc.caFile, CA: string(tc.ca)}.Transport(nil)
			require.NoError(t, err)
			clock := coordinator.NewAutoClock(clockStart)
			c, err := New(Config{URL: srv.URL, Token: runnerToken, SystemID: testSystem, Clock: clock,
				HTTPClient: &http.Client{Transport: tr}, CAFile: tc.caFile})
			require.NoError(t, err)

			err = c.Verify(t.Context())

			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			var ce *CertificateError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, host, ce.Host)
			assert.Equal(t, tc.caFile, ce.CAFile)
			assert.Contains(t, err.Error(), tc.want)
			assert.Empty(t, clock.Waits(), "not retried")
		})
	}
}

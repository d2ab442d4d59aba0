package clienttls

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/test/pki"
)

// A bad file is an *Error at the part to blame, with a cause errors.Is
// or errors.As finds, and a message that names the file but never shows
// key material.
func TestCheck(t *testing.T) {
	ca := pki.NewTestCA(t, "test CA")
	client := ca.Client(t, "runner")
	other := ca.Client(t, "other")
	rsaKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("not DER")})
	encrypted := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte{1}})
	bundle := "# a comment, as bundles have\n" + string(ca.CertPEM()) + "\n" + string(client.CertPEM)
	for _, tc := range []struct {
		name     string
		m        Material
		part     Part
		is       error
		contains string
	}{
		{name: "nothing", m: Material{}},
		{name: "a CA", m: Material{CAFile: "/ca.pem", CA: string(ca.CertPEM())}},
		{name: "a bundle with comments", m: Material{CAFile: "/ca.pem", CA: bundle}},
		{name: "a client pair", m: Material{CertFile: "/c.pem", Cert: string(client.CertPEM), KeyFile: "/k.pem", Key: string(client.KeyPEM)}},
		{name: "CA not PEM", m: Material{CAFile: "/ca.der", CA: string(ca.Cert.Raw)}, part: PartCA, is: ErrNoCertificate, contains: "tls-ca-file /ca.der: holds no PEM certificate"},
		{name: "key in the CA file", m: Material{CAFile: "/ca.pem", CA: string(ca.CertPEM()) + string(client.KeyPEM)}, part: PartCA,
			contains: `tls-ca-file /ca.pem: PEM block 2 is "PRIVATE KEY", not a CERTIFICATE`},
		{name: "CA block that does not parse", m: Material{CAFile: "/ca.pem", CA: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")}))},
			part: PartCA, contains: "PEM block 1 (CERTIFICATE) does not parse"},
		{name: "cert without key", m: Material{CertFile: "/c.pem", Cert: string(client.CertPEM)}, part: PartCert, is: ErrUnpaired, contains: "tls-cert-file /c.pem: tls-cert-file and tls-key-file go together"},
		{name: "key without cert", m: Material{KeyFile: "/k.pem", Key: string(client.KeyPEM)}, part: PartKey, is: ErrUnpaired},
		{name: "key of another certificate", m: Material{Cert: string(client.CertPEM), KeyFile: "/k.pem", Key: string(other.KeyPEM)}, part: PartKey, is: ErrKeyMismatch,
			contains: "tls-key-file /k.pem: is not the private key of the certificate in tls-cert-file"},
		{name: "certificate in the key file", m: Material{Cert: string(client.CertPEM), KeyFile: "/k.pem", Key: string(client.CertPEM)}, part: PartKey, is: ErrNoKey,
			contains: `the first PEM block is "CERTIFICATE"`},
		{name: "key in the cert file", m: Material{CertFile: "/c.pem", Cert: string(client.KeyPEM), Key: string(client.KeyPEM)}, part: PartCert},
		{name: "key that does not parse", m: Material{Cert: string(client.CertPEM), KeyFile: "/k.pem", Key: string(rsaKey)}, part: PartKey, contains: "PEM block 1 (RSA PRIVATE KEY) does not parse"},
		{name: "encrypted key", m: Material{Cert: string(client.CertPEM), Key: string(encrypted)}, part: PartKey, is: ErrEncryptedKey},
		{name: "no PEM in the key file", m: Material{Cert: string(client.CertPEM), Key: "hello"}, part: PartKey, is: ErrNoKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.m.Check()
			if tc.part == "" {
				require.NoError(t, err)
				return
			}
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.part, e.Part)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.Contains(t, err.Error(), tc.contains)
			assertNoKeyMaterial(t, err.Error(), client, other)
		})
	}
}

func assertNoKeyMaterial(t *testing.T, s string, pairs ...*pki.Pair) {
	t.Helper()
	assert.NotRegexp(t, "-----BEGIN [A-Z ]+-----\n", s)
	for _, p := range pairs {
		body := strings.Split(string(p.KeyPEM), "\n")[1]
		assert.NotContains(t, s, body[:20])
	}
}

// The configuration trusts the CA besides the system's roots, presents
// the client certificate, and verifies: a server whose certificate comes
// from another CA fails with a verification error.
func TestConfigTrustsTheCAAndPresentsTheClientCertificate(t *testing.T) {
	ca := pki.NewTestCA(t, "private CA")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "client %s", r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	clientRoots := x509.NewCertPool()
	clientRoots.AddCert(ca.Cert)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Serving(t, "127.0.0.1").TLS()},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clientRoots}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	client := ca.Client(t, "runner-1")
	m := Material{CAFile: "/ca.pem", CA: string(ca.CertPEM()), Cert: string(client.CertPEM), Key: string(client.KeyPEM)}

	tr, err := m.Transport(nil)
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: tr}).Get(srv.URL)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "client runner-1", string(body))

	other := pki.NewTestCA(t, "other CA")
	m.CA = string(other.CertPEM())
	tr, err = m.Transport(nil)
	require.NoError(t, err)
	_, err = (&http.Client{Transport: tr}).Get(srv.URL)
	require.Error(t, err)
	assert.True(t, IsVerifyError(err), "%v", err)
	assert.False(t, tr.TLSClientConfig.InsecureSkipVerify)
}

func TestTrustedAndString(t *testing.T) {
	assert.Equal(t, "the system's CA certificates", Material{}.Trusted())
	assert.Equal(t, "the system's CA certificates and tls-ca-file /etc/ca.pem", Material{CAFile: "/etc/ca.pem", CA: "x"}.Trusted())
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	keyPEM, err := pki.EncodeKey(key)
	require.NoError(t, err)
	m := Material{KeyFile: "/k.pem", Key: string(keyPEM)}
	for _, s := range []string{m.String(), fmt.Sprintf("%v %+v %#v", m, m, m), fmt.Sprintf("%+v", struct{ M *Material }{&m})} {
		assert.NotContains(t, s, "PRIVATE")
		assert.Contains(t, s, "/k.pem")
	}
}

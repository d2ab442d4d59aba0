package gitsource

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/helpers/clienttls"
	"kuberunner/test/gitserver"
	"kuberunner/test/pki"
)

// A clone over https from a server whose certificate comes from a private
// CA: with the CA in the request it works, submodules included (go-git's
// submodule update takes no TLS options; the routed transport covers it).
// Without the CA, or with another, it fails naming the host and the roots
// it trusted; nothing falls back to an unverified connection.
func TestCloneOverHTTPSWithAPrivateCA(t *testing.T) {
	ca := pki.NewTestCA(t, "private GitLab CA")
	srv := gitserver.NewOn(t, token, "127.0.0.1", gitserver.TLS(ca.Serving(t, "127.0.0.1").TLS()))
	require.True(t, strings.HasPrefix(srv.URL, "https://"))
	host := strings.TrimPrefix(srv.URL, "https://")
	lib := srv.NewRepo(t, "group/lib")
	l1 := lib.Commit(t, "main", "lib", map[string]string{"lib.txt": "lib\n"})
	super := srv.NewRepo(t, "group/super")
	super.Commit(t, "main", "super", map[string]string{"main.txt": "main\n"})
	s2 := super.AddSubmodule(t, "main", "lib", "../lib.git", l1)
	other := pki.NewTestCA(t, "another CA")

	for _, tc := range []struct {
		name string
		tls  *clienttls.Material
		want string // "" for success
	}{
		{"the CA", &clienttls.Material{CAFile: "/etc/ca.pem", CA: string(ca.CertPEM())}, ""},
		{"no CA", nil, "fetching " + super.URL() + ": the TLS certificate of " + host + " cannot be verified with the system's CA certificates: "},
		{"another CA", &clienttls.Material{CAFile: "/etc/other.pem", CA: string(other.CertPEM())},
			"the TLS certificate of " + host + " cannot be verified with the system's CA certificates and tls-ca-file /etc/other.pem: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			req := Request{Dir: filepath.Join(root, "group", "super"), RepoURL: super.URL(), Ref: "main", RefType: RefBranch,
				SHA: s2, Depth: 1, Strategy: StrategyClone, Checkout: true, SubmoduleStrategy: SubmodulesNormal, Token: token, TLS: tc.tls}
			_, err := run(t, req, root)
			if tc.want == "" {
				require.NoError(t, err)
				assert.Equal(t, "lib\n", files(t, req.Dir)["lib/lib.txt"])
				return
			}
			var ce *CertificateError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, host, ce.Host)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, clienttls.IsVerifyError(err))
		})
	}
}

// HTTPClient, for LFS and anything else a Run fetches, trusts the same
// roots and presents the client certificate.
func TestHTTPClientPresentsTheClientCertificate(t *testing.T) {
	ca := pki.NewTestCA(t, "private CA")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	clients := x509.NewCertPool()
	clients.AddCert(ca.Cert)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Serving(t, "127.0.0.1").TLS()}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clients}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	client := ca.Client(t, "runner-7")

	hc, err := HTTPClient(Request{TLS: &clienttls.Material{CA: string(ca.CertPEM()), Cert: string(client.CertPEM), Key: string(client.KeyPEM)}})
	require.NoError(t, err)
	resp, err := hc.Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, "runner-7", string(body))
}

// The request carries the material as JSON on stdin; a bad CA or key is a
// *RequestError on field tls, and printing a request never shows the key.
func TestRequestTLS(t *testing.T) {
	ca := pki.NewTestCA(t, "private CA")
	client := ca.Client(t, "runner")
	other := ca.Client(t, "other")
	base := Request{Dir: "/builds/g/p", RepoURL: "https://gitlab.example.com/g/p.git", Ref: "main", RefType: RefBranch,
		SHA: strings.Repeat("a", 40), Strategy: StrategyClone, Checkout: true}
	good := base
	good.TLS = &clienttls.Material{CAFile: "/etc/ca.pem", CA: string(ca.CertPEM()), Cert: string(client.CertPEM), Key: string(client.KeyPEM)}
	doc, err := json.Marshal(good)
	require.NoError(t, err)
	got, err := ReadRequest(strings.NewReader(string(doc)))
	require.NoError(t, err)
	assert.Equal(t, good, got)
	keyLine := strings.Split(string(client.KeyPEM), "\n")[1]
	for _, s := range []string{good.String(), fmt.Sprintf("%v %+v %#v", good, good, good)} {
		assert.NotContains(t, s, keyLine)
		assert.Contains(t, s, "/etc/ca.pem")
	}

	for _, m := range []clienttls.Material{
		{CA: "not PEM"},
		{Cert: string(client.CertPEM), Key: string(other.KeyPEM)},
	} {
		bad := base
		bad.TLS = &m
		var re *RequestError
		require.ErrorAs(t, bad.Validate(), &re)
		assert.Equal(t, "tls", re.Field)
		assert.NotContains(t, re.Error(), strings.Split(string(other.KeyPEM), "\n")[1])
	}
}

// The tls-* files at their size caps still fit the request with room for
// the rest of it: PEM lines grow by one byte each as JSON ("\n").
func TestTLSCapsFitTheRequest(t *testing.T) {
	pemOf := func(n int) string { return strings.Repeat(strings.Repeat("A", 63)+"\n", n/64) }
	req := Request{TLS: &clienttls.Material{CA: pemOf(clienttls.MaxCASize), Cert: pemOf(clienttls.MaxCertSize), Key: pemOf(clienttls.MaxKeySize)}}
	doc, err := json.Marshal(req)
	require.NoError(t, err)
	assert.Less(t, len(doc), MaxRequestSize-64<<10)
}

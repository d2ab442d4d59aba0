package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"kuberunner/helpers/clienttls"
	"kuberunner/test/pki"
)

// The tls-* files are read at load and kept; a path that is not absolute
// is taken from the directory of config.toml.
func TestTLSFilesLoad(t *testing.T) {
	ca := pki.NewTestCA(t, "private CA")
	client := ca.Client(t, "runner")
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"ca.pem": ca.CertPEM(), "certs/client.pem": client.CertPEM, "client.key": client.KeyPEM})
	path := filepath.Join(dir, "config.toml")
	src := "[[runners]]\nname = \"a\"\ntls-ca-file = \"ca.pem\"\ntls-cert-file = " + fmt.Sprintf("%q", filepath.Join(dir, "certs/client.pem")) + "\ntls-key-file = \"client.key\"\n"
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))

	cfg, warnings, err := Load(path)
	require.NoError(t, err)
	assert.Empty(t, warnings)
	r := cfg.Runners[0]
	assert.Equal(t, filepath.Join(dir, "ca.pem"), r.TLSCAFile)
	assert.Equal(t, clienttls.Material{
		CAFile: filepath.Join(dir, "ca.pem"), CA: string(ca.CertPEM()),
		CertFile: filepath.Join(dir, "certs/client.pem"), Cert: string(client.CertPEM),
		KeyFile: filepath.Join(dir, "client.key"), Key: string(client.KeyPEM),
	}, r.TLS())

	cfg, _, err = Parse("config.toml", []byte("[[runners]]\nname = \"a\"\n"))
	require.NoError(t, err)
	assert.True(t, cfg.Runners[0].TLS().IsZero(), "no tls-* key: the system's roots only")
}

// A bad file stops the load with the config file, the line, the key, the
// file's path and what is wrong with it; never the key's content.
func TestTLSFilesErrors(t *testing.T) {
	ca := pki.NewTestCA(t, "private CA")
	client := ca.Client(t, "runner")
	other := ca.Client(t, "other")
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{
		"ca.pem": ca.CertPEM(), "ca.der": ca.Cert.Raw, "client.pem": client.CertPEM, "client.key": client.KeyPEM,
		"other.key": other.KeyPEM, "big.pem": []byte(strings.Repeat("x", clienttls.MaxKeySize+1)),
	})
	require.NoError(t, os.Mkdir(filepath.Join(dir, "adir"), 0o700))
	in := func(name string) string { return filepath.Join(dir, name) }
	for _, tc := range []struct {
		name string
		keys string
		key  string
		want string
	}{
		{"missing CA", `tls-ca-file = "nope.pem"`, "tls-ca-file", in("nope.pem") + ": cannot read the file: no such file or directory; allowed: a readable PEM file of one or more CA certificates"},
		{"CA is a directory", `tls-ca-file = "adir"`, "tls-ca-file", in("adir") + ": not a regular file (it is a directory)"},
		{"CA in DER", `tls-ca-file = "ca.der"`, "tls-ca-file", in("ca.der") + ": holds no PEM certificate"},
		{"a key as the CA", `tls-ca-file = "client.key"`, "tls-ca-file", in("client.key") + `: PEM block 1 is "PRIVATE KEY", not a CERTIFICATE`},
		{"cert without key", `tls-cert-file = "client.pem"`, "tls-cert-file", in("client.pem") + ": tls-cert-file and tls-key-file go together"},
		{"key without cert", `tls-key-file = "client.key"`, "tls-key-file", in("client.key") + ": tls-cert-file and tls-key-file go together"},
		{"key of another cert", "tls-cert-file = \"client.pem\"\ntls-key-file = \"other.key\"", "tls-key-file", in("other.key") + ": is not the private key of the certificate in tls-cert-file"},
		{"key file too large", "tls-cert-file = \"client.pem\"\ntls-key-file = \"big.pem\"", "tls-key-file", "over the limit of 64 KiB"},
		{"the cert and key swapped", "tls-cert-file = \"client.key\"\ntls-key-file = \"client.pem\"", "tls-cert-file", in("client.key") + `: PEM block 1 is "PRIVATE KEY", not a CERTIFICATE`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := in("config.toml")
			src := "concurrent = 1\n\n[[runners]]\nname = \"a\"\n" + tc.keys + "\n"
			require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
			_, _, err := Load(path)
			require.Error(t, err)
			errs := configErrors(t, err)
			require.Len(t, errs, 1, "%v", err)
			e := errs[0]
			assert.Equal(t, "runners[0]."+tc.key, e.Key)
			assert.Equal(t, 5+strings.Count(tc.keys[:strings.Index(tc.keys, tc.key)], "\n"), e.Line)
			assert.Contains(t, e.Error(), fmt.Sprintf("%s:%d: runners[0].%s: ", path, e.Line, tc.key))
			assert.Contains(t, e.Error(), tc.want)
			for _, k := range [][]byte{client.KeyPEM, other.KeyPEM} {
				assert.NotContains(t, e.Error(), strings.Split(string(k), "\n")[1][:16], "no key material")
			}
		})
	}
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, data, 0o600))
	}
}

// Printing a runner, however, never shows the key it loaded.
func TestTLSKeyNotPrinted(t *testing.T) {
	ca := pki.NewTestCA(t, "private CA")
	client := ca.Client(t, "runner")
	dir := t.TempDir()
	writeFiles(t, dir, map[string][]byte{"client.pem": client.CertPEM, "client.key": client.KeyPEM})
	cfg, _, err := Parse(filepath.Join(dir, "config.toml"), []byte("[[runners]]\nname = \"a\"\ntls-cert-file = \"client.pem\"\ntls-key-file = \"client.key\"\n"))
	require.NoError(t, err)
	r := cfg.Runners[0]
	require.Equal(t, string(client.KeyPEM), r.TLS().Key)
	keyLine := strings.Split(string(client.KeyPEM), "\n")[1]
	for _, s := range []string{fmt.Sprintf("%v %+v %#v", r, r, r), fmt.Sprintf("%v %+v %#v", *r, *r, *r), fmt.Sprintf("%+v", cfg)} {
		assert.NotContains(t, s, keyLine)
	}
}

package kubeapi

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: one
  cluster: {server: "https://one.example:6443"}
- name: two
  cluster: {server: "https://two.example:6443"}
users:
- name: u
  user: {token: kubeconfig-token}
contexts:
- name: first
  context: {cluster: one, user: u}
- name: second
  context: {cluster: two, user: u}
current-context: first
`

// GitLab Runner's two ways to the API server: a host with credentials of
// its own reads no kubeconfig; otherwise the kubeconfig's context (the
// current one, or context), with host replacing only the address.
func TestRestConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	require.NoError(t, os.WriteFile(path, []byte(kubeconfig), 0o600))
	t.Setenv("KUBECONFIG", path)
	tests := []struct {
		name              string
		conn              Connection
		host, token, cert string
	}{
		{"the kubeconfig's current context", Connection{}, "https://one.example:6443", "kubeconfig-token", ""},
		{"context", Connection{Context: "second"}, "https://two.example:6443", "kubeconfig-token", ""},
		{"host replaces the address", Connection{Host: "https://lb.example", Context: "second"}, "https://lb.example", "kubeconfig-token", ""},
		{"host with credentials of its own", Connection{Host: "https://own.example", BearerToken: "own-token", CAFile: "/ca.pem", CertFile: "/c.pem", KeyFile: "/k.pem"},
			"https://own.example", "own-token", "/c.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := RestConfig(tt.conn)
			require.NoError(t, err)
			assert.Equal(t, tt.host, rc.Host)
			assert.Equal(t, tt.token, rc.BearerToken)
			assert.Equal(t, tt.cert, rc.CertFile)
		})
	}
	_, err := RestConfig(Connection{Context: "third"})
	require.Error(t, err, "a context the kubeconfig does not have")
}

func TestConnectionStringHidesTheToken(t *testing.T) {
	s := Connection{Host: "https://h", BearerToken: "very-secret"}.String()
	assert.NotContains(t, s, "very-secret")
	assert.Contains(t, s, "bearer_token=[REDACTED]")
}

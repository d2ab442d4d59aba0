package pki

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

// NewTestCA is NewCA that fails t on error.
func NewTestCA(t testing.TB, cn string) *CA {
	t.Helper()
	ca, err := NewCA(cn)
	if err != nil {
		t.Fatalf("pki: %v", err)
	}
	return ca
}

// Serving is a server certificate for hosts, each an IP address or a DNS
// name, signed by ca; it fails t on error.
func (ca *CA) Serving(t testing.TB, hosts ...string) *Pair {
	t.Helper()
	leaf := Leaf{CN: "kuberunner test server", Server: true}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			leaf.IPs = append(leaf.IPs, ip)
		} else {
			leaf.DNS = append(leaf.DNS, h)
		}
	}
	p, err := ca.Issue(leaf)
	if err != nil {
		t.Fatalf("pki: %v", err)
	}
	return p
}

// Client is a client certificate named cn, signed by ca; it fails t on
// error.
func (ca *CA) Client(t testing.TB, cn string) *Pair {
	t.Helper()
	p, err := ca.Issue(Leaf{CN: cn})
	if err != nil {
		t.Fatalf("pki: %v", err)
	}
	return p
}

// WriteFile writes data to name in a temporary directory of t and returns
// its path; mode 0600, as a key must be.
func WriteFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("pki: %v", err)
	}
	return path
}

// WriteFileAt writes data to path, mode 0600; it fails t on error.
func WriteFileAt(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("pki: %v", err)
	}
}

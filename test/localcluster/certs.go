package localcluster

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"slices"
	"time"

	"kuberunner/test/pki"
)

// certSpec describes one leaf certificate signed by the cluster CA.
type certSpec struct {
	name string // file stem under pki/
	pki.Leaf
}

// ensurePKI creates the CA, the service-account key and every leaf
// certificate that does not exist yet. The kubelet's serving certificate is
// reissued when the node IP or name changed (a state dir copied to another
// machine, or a new DHCP lease), since the apiserver verifies it.
func (c *Cluster) ensurePKI(node string, nodeIP net.IP) error {
	if err := os.MkdirAll(c.path("pki"), 0o700); err != nil {
		return err
	}
	ca, fresh, err := c.ensureCA()
	if err != nil {
		return err
	}
	if _, err := os.Stat(c.pki("sa.key")); err != nil {
		if err := writeServiceAccountKey(c.pki("sa.key"), c.pki("sa.pub")); err != nil {
			return err
		}
	}
	specs := []certSpec{
		{"apiserver", pki.Leaf{CN: "kube-apiserver", Server: true,
			IPs: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP(serviceIP)},
			DNS: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}}},
		{"apiserver-kubelet-client", pki.Leaf{CN: "kube-apiserver-kubelet-client", Orgs: []string{"system:masters"}}},
		{"admin", pki.Leaf{CN: "kuberunner-admin", Orgs: []string{"system:masters"}}},
		{"controller-manager", pki.Leaf{CN: "system:kube-controller-manager"}},
		{"scheduler", pki.Leaf{CN: "system:kube-scheduler"}},
		{"kubelet", pki.Leaf{CN: "system:node:" + node, Orgs: []string{"system:nodes"}}},
		{"kubelet-serving", pki.Leaf{CN: "system:node:" + node, Orgs: []string{"system:nodes"}, Server: true,
			IPs: []net.IP{nodeIP}, DNS: []string{node}}},
	}
	for _, s := range specs {
		if !fresh && certMatches(c.pki(s.name+".crt"), s) {
			continue
		}
		if err := issue(c.pki(s.name), s, ca); err != nil {
			return fmt.Errorf("issue %s certificate: %w", s.name, err)
		}
	}
	return nil
}

// writeServiceAccountKey writes the key the apiserver signs service-account
// tokens with, and its public half.
func writeServiceAccountKey(keyPath, pubPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	keyPEM, err := pki.EncodeKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return err
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	return os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
}

// ensureCA loads the CA, or creates one and reports fresh so that every leaf
// certificate is reissued under it.
func (c *Cluster) ensureCA() (ca *pki.CA, fresh bool, err error) {
	if crt, err := os.ReadFile(c.pki("ca.crt")); err == nil {
		key, err := os.ReadFile(c.pki("ca.key"))
		if err != nil {
			return nil, false, err
		}
		ca, err := pki.LoadCA(crt, key)
		return ca, false, err
	}
	if ca, err = pki.NewCA("kuberunner-local-ca"); err != nil {
		return nil, false, err
	}
	key, err := ca.KeyPEM()
	if err != nil {
		return nil, false, err
	}
	if err := os.WriteFile(c.pki("ca.key"), key, 0o600); err != nil {
		return nil, false, err
	}
	return ca, true, os.WriteFile(c.pki("ca.crt"), ca.CertPEM(), 0o644)
}

// issue writes stem.crt and stem.key for spec, signed by the CA.
func issue(stem string, s certSpec, ca *pki.CA) error {
	p, err := ca.Issue(s.Leaf)
	if err != nil {
		return err
	}
	if err := os.WriteFile(stem+".key", p.KeyPEM, 0o600); err != nil {
		return err
	}
	return os.WriteFile(stem+".crt", p.CertPEM, 0o644)
}

// certMatches reports whether the certificate at path exists, is valid for
// another day, and carries the subject and addresses spec asks for.
func certMatches(path string, s certSpec) bool {
	crt, err := readCert(path)
	if err != nil || time.Until(crt.NotAfter) < 24*time.Hour || crt.Subject.CommonName != s.CN {
		return false
	}
	if !slices.Equal(crt.DNSNames, s.DNS) && !(len(crt.DNSNames) == 0 && len(s.DNS) == 0) {
		return false
	}
	if len(crt.IPAddresses) != len(s.IPs) {
		return false
	}
	for i, ip := range crt.IPAddresses {
		if !ip.Equal(s.IPs[i]) {
			return false
		}
	}
	return true
}

func readCert(path string) (*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return pki.ParseCert(b)
}

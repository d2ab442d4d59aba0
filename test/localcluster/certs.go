package localcluster

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"slices"
	"time"
)

// certSpec describes one leaf certificate signed by the cluster CA.
type certSpec struct {
	name   string // file stem under pki/
	cn     string
	orgs   []string
	server bool
	ips    []net.IP
	dns    []string
}

// ensurePKI creates the CA, the service-account key and every leaf
// certificate that does not exist yet. The kubelet's serving certificate is
// reissued when the node IP or name changed (a state dir copied to another
// machine, or a new DHCP lease), since the apiserver verifies it.
func (c *Cluster) ensurePKI(node string, nodeIP net.IP) error {
	if err := os.MkdirAll(c.path("pki"), 0o700); err != nil {
		return err
	}
	ca, caKey, fresh, err := c.ensureCA()
	if err != nil {
		return err
	}
	if _, err := os.Stat(c.pki("sa.key")); err != nil {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		if err := writeKey(c.pki("sa.key"), key); err != nil {
			return err
		}
		der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
		if err != nil {
			return err
		}
		if err := writePEM(c.pki("sa.pub"), "PUBLIC KEY", der, 0o644); err != nil {
			return err
		}
	}
	specs := []certSpec{
		{name: "apiserver", cn: "kube-apiserver", server: true,
			ips: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP(serviceIP)},
			dns: []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"}},
		{name: "apiserver-kubelet-client", cn: "kube-apiserver-kubelet-client", orgs: []string{"system:masters"}},
		{name: "admin", cn: "kuberunner-admin", orgs: []string{"system:masters"}},
		{name: "controller-manager", cn: "system:kube-controller-manager"},
		{name: "scheduler", cn: "system:kube-scheduler"},
		{name: "kubelet", cn: "system:node:" + node, orgs: []string{"system:nodes"}},
		{name: "kubelet-serving", cn: "system:node:" + node, orgs: []string{"system:nodes"}, server: true,
			ips: []net.IP{nodeIP}, dns: []string{node}},
	}
	for _, s := range specs {
		if !fresh && certMatches(c.pki(s.name+".crt"), s) {
			continue
		}
		if err := issue(c.pki(s.name), s, ca, caKey); err != nil {
			return fmt.Errorf("issue %s certificate: %w", s.name, err)
		}
	}
	return nil
}

// ensureCA loads the CA, or creates one and reports fresh so that every leaf
// certificate is reissued under it.
func (c *Cluster) ensureCA() (ca *x509.Certificate, key crypto.Signer, fresh bool, err error) {
	if ca, err := readCert(c.pki("ca.crt")); err == nil {
		key, err := readKey(c.pki("ca.key"))
		return ca, key, false, err
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, false, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "kuberunner-local-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ecKey.PublicKey, ecKey)
	if err != nil {
		return nil, nil, false, err
	}
	if err := writeKey(c.pki("ca.key"), ecKey); err != nil {
		return nil, nil, false, err
	}
	if err := writePEM(c.pki("ca.crt"), "CERTIFICATE", der, 0o644); err != nil {
		return nil, nil, false, err
	}
	ca, err = x509.ParseCertificate(der)
	return ca, ecKey, true, err
}

// issue writes stem.crt and stem.key for spec, signed by the CA.
func issue(stem string, s certSpec, ca *x509.Certificate, caKey crypto.Signer) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	usage := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if s.server {
		usage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: s.cn, Organization: s.orgs},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(5, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  usage,
		IPAddresses:  s.ips,
		DNSNames:     s.dns,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	if err := writeKey(stem+".key", key); err != nil {
		return err
	}
	return writePEM(stem+".crt", "CERTIFICATE", der, 0o644)
}

// certMatches reports whether the certificate at path exists, is valid for
// another day, and carries the subject and addresses spec asks for.
func certMatches(path string, s certSpec) bool {
	crt, err := readCert(path)
	if err != nil || time.Until(crt.NotAfter) < 24*time.Hour || crt.Subject.CommonName != s.cn {
		return false
	}
	if !slices.Equal(crt.DNSNames, s.dns) && !(len(crt.DNSNames) == 0 && len(s.dns) == 0) {
		return false
	}
	if len(crt.IPAddresses) != len(s.ips) {
		return false
	}
	for i, ip := range crt.IPAddresses {
		if !ip.Equal(s.ips[i]) {
			return false
		}
	}
	return true
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return n
}

func writeKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	return writePEM(path, "PRIVATE KEY", der, 0o600)
}

func writePEM(path, typ string, der []byte, mode os.FileMode) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), mode)
}

// readPEM returns the DER bytes of the first PEM block in path.
func readPEM(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New(path + ": no PEM block")
	}
	return blk.Bytes, nil
}

func readCert(path string) (*x509.Certificate, error) {
	der, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func readKey(path string) (crypto.Signer, error) {
	der, err := readPEM(path)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New(path + ": not a signing key")
	}
	return s, nil
}

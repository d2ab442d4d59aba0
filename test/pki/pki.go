// Package pki makes certificate authorities and the certificates they
// sign, for tests and for the local cluster: the one place that knows how
// a test certificate is built (key type, validity, usages, PEM encoding).
//
// Keys are ECDSA P-256 in PKCS#8, certificates X.509 in PEM, as the
// Kubernetes components and Go's crypto/tls read them. It is a test
// helper: production code must not import it.
package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"time"
)

// CA is a certificate authority: its certificate and signing key.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Leaf describes one certificate a CA signs.
type Leaf struct {
	CN   string
	Orgs []string
	// Server adds the server-auth usage to client auth, for a serving
	// certificate; IPs and DNS are the names it serves.
	Server bool
	IPs    []net.IP
	DNS    []string
}

// Pair is a signed certificate and its private key, DER and PEM.
type Pair struct {
	Cert    *x509.Certificate
	Key     *ecdsa.PrivateKey
	CertPEM []byte
	KeyPEM  []byte
}

// NewCA makes a self-signed CA named cn, valid from an hour ago for ten
// years (the hour absorbs clock skew between the machine and a node).
func NewCA(cn string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return &CA{Cert: cert, Key: key}, err
}

// LoadCA reads a CA written with CertPEM and KeyPEM.
func LoadCA(certPEM, keyPEM []byte) (*CA, error) {
	cert, err := ParseCert(certPEM)
	if err != nil {
		return nil, err
	}
	key, err := ParseKey(keyPEM)
	return &CA{Cert: cert, Key: key}, err
}

// CertPEM is the CA's certificate in PEM: what a client trusts.
func (ca *CA) CertPEM() []byte { return EncodeCert(ca.Cert.Raw) }

// KeyPEM is the CA's key in PEM (PKCS#8).
func (ca *CA) KeyPEM() ([]byte, error) {
	ec, ok := ca.Key.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errors.New("pki: the CA key is not ECDSA")
	}
	return EncodeKey(ec)
}

// Issue signs a new key for leaf, valid from an hour ago for five years.
func (ca *CA) Issue(leaf Leaf) (*Pair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	usage := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	if leaf.Server {
		usage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: leaf.CN, Organization: leaf.Orgs},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(5, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  usage,
		IPAddresses:  leaf.IPs,
		DNSNames:     leaf.DNS,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, err
	}
	return newPair(der, key)
}

func newPair(der []byte, key *ecdsa.PrivateKey) (*Pair, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyPEM, err := EncodeKey(key)
	if err != nil {
		return nil, err
	}
	return &Pair{Cert: cert, Key: key, CertPEM: EncodeCert(der), KeyPEM: keyPEM}, nil
}

// TLS is the pair as a server or client presents it.
func (p *Pair) TLS() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{p.Cert.Raw}, PrivateKey: p.Key, Leaf: p.Cert}
}

// EncodeCert is DER in a CERTIFICATE PEM block.
func EncodeCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// EncodeKey is key in a PRIVATE KEY (PKCS#8) PEM block.
func EncodeKey(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParseCert reads the first PEM block of data as a certificate.
func ParseCert(data []byte) (*x509.Certificate, error) {
	der, err := firstBlock(data)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// ParseKey reads the first PEM block of data as a PKCS#8 signing key.
func ParseKey(data []byte) (crypto.Signer, error) {
	der, err := firstBlock(data)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("pki: not a signing key")
	}
	return s, nil
}

func firstBlock(data []byte) ([]byte, error) {
	blk, _ := pem.Decode(data)
	if blk == nil {
		return nil, errors.New("pki: no PEM block")
	}
	return blk.Bytes, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return n
}

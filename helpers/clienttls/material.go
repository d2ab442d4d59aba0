package clienttls

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
)

// Size caps of each file, so that the three together fit the helper's
// clone request (1 MiB) with room to spare. A full public CA bundle is
// about 220 KiB.
const (
	MaxCASize   = 512 << 10
	MaxCertSize = 64 << 10
	MaxKeySize  = 64 << 10
)

// Material is the runner's TLS settings towards GitLab, read from its
// files. The file names are kept for messages only. The JSON form travels
// to the helper on stdin; the key is never in argv or a pod spec.
type Material struct {
	// CAFile is tls-ca-file; CA its PEM: certificates trusted in addition
	// to the system's.
	CAFile string `json:"ca_file,omitempty"`
	CA     string `json:"ca,omitempty"`
	// CertFile and Cert are tls-cert-file, the client certificate (chain)
	// presented to GitLab; KeyFile and Key its private key (tls-key-file).
	CertFile string `json:"cert_file,omitempty"`
	Cert     string `json:"cert,omitempty"`
	KeyFile  string `json:"key_file,omitempty"`
	Key      string `json:"key,omitempty"`
}

// IsZero reports whether m sets nothing: the system's roots, no client
// certificate.
func (m Material) IsZero() bool { return m.CA == "" && m.Cert == "" && m.Key == "" }

// Check returns the first problem of m as an *Error: a CA that is not one
// or more PEM certificates, a certificate without its key or the reverse,
// or a key that does not belong to the certificate.
func (m Material) Check() error {
	if m.CA != "" {
		if err := CheckCA([]byte(m.CA)); err != nil {
			return &Error{Part: PartCA, File: m.CAFile, Err: err}
		}
	}
	return checkPair(m)
}

// Config is the client TLS configuration m describes: the system's roots
// plus m.CA, and m's client certificate if any. m must have passed Check.
func (m Material) Config() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if m.CA != "" {
		roots, err := systemRoots()
		if err != nil {
			return nil, err
		}
		if !roots.AppendCertsFromPEM([]byte(m.CA)) {
			return nil, &Error{Part: PartCA, File: m.CAFile, Err: ErrNoCertificate}
		}
		cfg.RootCAs = roots
	}
	if m.Cert != "" || m.Key != "" {
		pair, err := keyPair(m)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// systemRoots is a copy of the system's pool (an empty one where the
// system has none), for the CA to be added to.
func systemRoots() (*x509.CertPool, error) {
	roots, err := x509.SystemCertPool()
	if err != nil {
		return nil, fmt.Errorf("reading the system's CA certificates: %w", err)
	}
	if roots == nil {
		roots = x509.NewCertPool()
	}
	return roots, nil
}

// Transport is a clone of base (nil: http.DefaultTransport) whose TLS
// client configuration is m's. Proxies, timeouts and HTTP/2 stay base's.
func (m Material) Transport(base *http.Transport) (*http.Transport, error) {
	if base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	cfg, err := m.Config()
	if err != nil {
		return nil, err
	}
	t := base.Clone()
	t.TLSClientConfig = cfg
	return t, nil
}

// Trusted says which roots verify GitLab's certificate, for messages:
// "the system's CA certificates" and, when set, "and tls-ca-file PATH".
func (m Material) Trusted() string {
	const system = "the system's CA certificates"
	if m.CA == "" {
		return system
	}
	return system + " and tls-ca-file " + fileName(m.CAFile)
}

func fileName(path string) string {
	if path == "" {
		return "(unnamed)"
	}
	return path
}

// String shows the file names and the sizes only: PEM of a key must never
// reach a log, whatever prints a Material.
func (m Material) String() string {
	return fmt.Sprintf("{ca_file:%s ca:%d bytes cert_file:%s cert:%d bytes key_file:%s key:%s}",
		m.CAFile, len(m.CA), m.CertFile, len(m.Cert), m.KeyFile, masked(m.Key))
}

// GoString is String, for %#v.
func (m Material) GoString() string { return "clienttls.Material" + m.String() }

func masked(s string) string {
	if s == "" {
		return ""
	}
	return "[MASKED]"
}

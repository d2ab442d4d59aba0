package network

import "fmt"

// CertificateError is a server whose TLS certificate could not be
// verified. It is not retried: an unknown authority, a name the
// certificate does not hold or an expired certificate stays so however
// often it is asked, and retrying only delays the message by a minute.
// Nothing falls back to an unverified connection.
type CertificateError struct {
	Op string
	// Host is the server's host:port.
	Host string
	// CAFile is the runner's tls-ca-file, trusted besides the system's
	// roots; "" when none is set.
	CAFile string
	Err    error
}

func (e *CertificateError) Error() string {
	if e.CAFile == "" {
		return fmt.Sprintf("%s: the TLS certificate of %s cannot be verified with the system's CA certificates (not retried; "+
			"set tls-ca-file in its [[runners]] entry to the CA that signed it, or fix the URL's host): %v", e.Op, e.Host, e.Err)
	}
	return fmt.Sprintf("%s: the TLS certificate of %s cannot be verified with the system's CA certificates and tls-ca-file %s (not retried; "+
		"is that the CA that signed it, and does the certificate hold the URL's host?): %v", e.Op, e.Host, e.CAFile, e.Err)
}

func (e *CertificateError) Unwrap() error { return e.Err }

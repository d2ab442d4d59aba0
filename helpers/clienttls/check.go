package clienttls

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// Part names a file of Material, as config.toml names its key.
type Part string

const (
	PartCA   Part = "tls-ca-file"
	PartCert Part = "tls-cert-file"
	PartKey  Part = "tls-key-file"
)

// Causes of an *Error, for errors.Is.
var (
	// ErrNoCertificate is a file with no CERTIFICATE PEM block.
	ErrNoCertificate = errors.New("holds no PEM certificate (want one or more -----BEGIN CERTIFICATE----- blocks; DER is not read)")
	// ErrNoKey is a key file with no PEM private key.
	ErrNoKey = errors.New("holds no PEM private key (want a -----BEGIN ... PRIVATE KEY----- block)")
	// ErrUnpaired is a certificate without its key, or a key without its
	// certificate.
	ErrUnpaired = errors.New("tls-cert-file and tls-key-file go together: set both or neither")
	// ErrKeyMismatch is a key that does not belong to the certificate.
	ErrKeyMismatch = errors.New("is not the private key of the certificate in tls-cert-file")
	// ErrEncryptedKey is a key protected by a passphrase, which nothing
	// could type in.
	ErrEncryptedKey = errors.New("is an encrypted private key: kuberunner reads only unencrypted keys")
)

// Error is a problem with one file of Material. Its message names the
// part and the file, never the file's content.
type Error struct {
	Part Part
	File string
	Err  error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Part, fileName(e.File), e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// BlockError is a PEM block of the wrong type, or one that does not parse.
type BlockError struct {
	// Index counts blocks from 1.
	Index int
	// Type is the block's type as written (CERTIFICATE, PRIVATE KEY…).
	Type string
	// Err is why it does not parse; nil when only the type is wrong.
	Err error
}

func (e *BlockError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("PEM block %d is %q, not a CERTIFICATE", e.Index, e.Type)
	}
	return fmt.Sprintf("PEM block %d (%s) does not parse: %v", e.Index, e.Type, e.Err)
}

func (e *BlockError) Unwrap() error { return e.Err }

// CheckCA checks that data is one or more PEM certificates that parse,
// with nothing else in PEM form: text between blocks (a bundle's comments)
// is allowed, a key or anything else is not. Go's pool would skip a bad
// block silently and trust less than the operator meant.
func CheckCA(data []byte) error {
	_, err := certificates(data)
	return err
}

// certificates parses every PEM block of data as a certificate.
func certificates(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for i := 1; ; i++ {
		var blk *pem.Block
		blk, data = pem.Decode(data)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			return nil, &BlockError{Index: i, Type: safeType(blk.Type)}
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, &BlockError{Index: i, Type: blk.Type, Err: err}
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, ErrNoCertificate
	}
	return out, nil
}

// safeType keeps a block type short and printable: it is read from a file
// that may be anything.
func safeType(t string) string {
	if len(t) > 40 {
		t = t[:40] + "…"
	}
	return strings.ToValidUTF8(t, "?")
}

// checkPair checks the client certificate and key of m.
func checkPair(m Material) error {
	if m.Cert == "" && m.Key == "" {
		return nil
	}
	_, err := keyPair(m)
	return err
}

// keyPair is m's client certificate with its key, each problem an *Error
// at the file to blame.
func keyPair(m Material) (tls.Certificate, error) {
	switch {
	case m.Cert == "":
		return tls.Certificate{}, &Error{Part: PartKey, File: m.KeyFile, Err: ErrUnpaired}
	case m.Key == "":
		return tls.Certificate{}, &Error{Part: PartCert, File: m.CertFile, Err: ErrUnpaired}
	}
	chain, err := certificates([]byte(m.Cert))
	if err != nil {
		return tls.Certificate{}, &Error{Part: PartCert, File: m.CertFile, Err: err}
	}
	key, err := privateKey([]byte(m.Key))
	if err == nil && !matches(key, chain[0]) {
		err = ErrKeyMismatch
	}
	if err != nil {
		return tls.Certificate{}, &Error{Part: PartKey, File: m.KeyFile, Err: err}
	}
	pair := tls.Certificate{PrivateKey: key, Leaf: chain[0]}
	for _, c := range chain {
		pair.Certificate = append(pair.Certificate, c.Raw)
	}
	return pair, nil
}

// privateKey reads the first PEM block of a key file, in the forms
// crypto/tls reads: PKCS#8, PKCS#1 (RSA) and SEC 1 (EC). Its errors name
// the block's type at most: x509's parse errors quote no key bytes.
func privateKey(data []byte) (crypto.Signer, error) {
	blk, _ := pem.Decode(data)
	if blk == nil {
		return nil, ErrNoKey
	}
	if blk.Headers["Proc-Type"] != "" {
		return nil, ErrEncryptedKey
	}
	var key any
	var err error
	switch blk.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(blk.Bytes)
	default:
		return nil, fmt.Errorf("%w: the first PEM block is %q", ErrNoKey, safeType(blk.Type))
	}
	if err != nil {
		return nil, &BlockError{Index: 1, Type: blk.Type, Err: err}
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: a %T cannot sign", ErrNoKey, key)
	}
	return signer, nil
}

// matches reports whether key is the private half of cert's public key.
func matches(key crypto.Signer, cert *x509.Certificate) bool {
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(cert.PublicKey)
}

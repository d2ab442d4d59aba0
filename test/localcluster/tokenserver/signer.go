package tokenserver

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TokenTTL is how long a token is good for: GitLab's default too.
const TokenTTL = 5 * time.Minute

// Signer issues the tokens that a registry trusting its certificate accepts.
type Signer struct {
	key *ecdsa.PrivateKey
	x5c []string
	// Issuer and Service must equal the registry's auth.token issuer and
	// service: they become the tokens' iss and aud.
	Issuer, Service string
}

// NewSigner loads the PEM key and certificate that NewSigningKey made.
func NewSigner(keyPEM, certPEM []byte, issuer, service string) (*Signer, error) {
	kb, _ := pem.Decode(keyPEM)
	cb, _ := pem.Decode(certPEM)
	if kb == nil || cb == nil {
		return nil, errors.New("token signer: key or certificate is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("token signer: key: %w", err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("token signer: key is %T, want ECDSA", k)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("token signer: certificate: %w", err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, errors.New("token signer: the certificate is not the key's")
	}
	return &Signer{key: key, x5c: []string{base64.StdEncoding.EncodeToString(cb.Bytes)}, Issuer: issuer, Service: service}, nil
}

// Sign returns a token for subject ("" for an anonymous client) granting
// access, valid for TokenTTL from now.
func (s *Signer) Sign(subject string, access []Access, now time.Time) (string, error) {
	jti := make([]byte, 12)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	if access == nil {
		access = []Access{}
	}
	// aud is a plain string, not jwt's usual array: distribution 2.8 reads
	// it into a string and rejects the token otherwise.
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"iss": s.Issuer, "sub": subject, "aud": s.Service,
		"iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(TokenTTL).Unix(),
		"jti": hex.EncodeToString(jti), "access": access,
	})
	tok.Header["x5c"] = s.x5c
	return tok.SignedString(s.key)
}

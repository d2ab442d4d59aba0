package tokenserver

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func newSigner(t *testing.T) *Signer {
	t.Helper()
	keyPEM, certPEM, err := NewSigningKey(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(keyPEM, certPEM, "test-issuer", "test-service")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// verifyLikeDistribution checks a token the way distribution 2.8 does: the
// x5c certificate chains to the trusted certificate, the signature is the
// certificate key's, and iss/aud are plain strings equal to its config.
func verifyLikeDistribution(t *testing.T, s *Signer, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	var hdr struct {
		Alg string   `json:"alg"`
		X5c []string `json:"x5c"`
	}
	decodeSegment(t, parts[0], &hdr)
	if hdr.Alg != "ES256" || len(hdr.X5c) != 1 {
		t.Fatalf("header %+v: want ES256 and one x5c certificate", hdr)
	}
	der, err := base64.StdEncoding.DecodeString(hdr.X5c[0])
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert) // the registry's rootcertbundle is this same certificate
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("x5c does not verify against the root bundle: %v", err)
	}
	if _, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return cert.PublicKey, nil },
		jwt.WithValidMethods([]string{"ES256"})); err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims map[string]any
	decodeSegment(t, parts[1], &claims)
	if claims["iss"] != s.Issuer || claims["aud"] != s.Service {
		t.Errorf("iss %v aud %v: want the strings %q and %q", claims["iss"], claims["aud"], s.Issuer, s.Service)
	}
	return claims
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestSignedTokenVerifiesLikeDistribution(t *testing.T) {
	s := newSigner(t)
	now := time.Now()
	tok, err := s.Sign("alice", []Access{{"repository", "img", []string{"pull"}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	claims := verifyLikeDistribution(t, s, tok)
	if claims["sub"] != "alice" {
		t.Errorf("sub = %v", claims["sub"])
	}
	if exp := int64(claims["exp"].(float64)); exp != now.Add(TokenTTL).Unix() {
		t.Errorf("exp = %d, want now+%s", exp, TokenTTL)
	}
	access, _ := json.Marshal(claims["access"])
	if string(access) != `[{"actions":["pull"],"name":"img","type":"repository"}]` {
		t.Errorf("access = %s", access)
	}
}

func TestAnonymousTokenGrantsAnEmptyList(t *testing.T) {
	s := newSigner(t)
	tok, err := s.Sign("", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	claims := verifyLikeDistribution(t, s, tok)
	if a, ok := claims["access"].([]any); !ok || len(a) != 0 {
		t.Errorf("access = %#v, want []", claims["access"])
	}
}

func TestNewSignerRejectsAMismatchedPair(t *testing.T) {
	k1, _, err := NewSigningKey(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, c2, err := NewSigningKey(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSigner(k1, c2, "i", "s"); err == nil {
		t.Error("a certificate of another key was accepted")
	}
	if _, err := NewSigner([]byte("not pem"), c2, "i", "s"); err == nil {
		t.Error("a non-PEM key was accepted")
	}
}

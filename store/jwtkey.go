package store

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"
)

// JWTKeyKind says what a JWTKey's Data holds.
type JWTKeyKind string

// JWT key kinds.
const (
	JWTKeySecret JWTKeyKind = "hs256-secret" // the raw HS256 secret
	JWTKeyPEM    JWTKeyKind = "pem"          // a PEM public key (PKIX) or certificate
	JWTKeyJWKS   JWTKeyKind = "jwks"         // a JWKS document {"keys": [...]}
)

// Limits of JWT key material.
const (
	MaxJWTKeyBytes = 64 << 10
	MinHS256Secret = 32 // bytes
	MinRSAKeyBits  = 2048
	maxJWKSKeys    = 100
)

// JWTKey is the key material a tenant's JWTs are verified with: one
// record per tenant, sent by the CLI (the daemon never reads operators'
// files). Data is secret for JWTKeySecret and is never logged or returned
// by the API.
type JWTKey struct {
	Tenant  string     `json:"tenant"`
	Kind    JWTKeyKind `json:"kind"`
	Data    []byte     `json:"data"`
	Updated time.Time  `json:"updated"`
}

// JWK is one verification key: an *rsa.PublicKey or *ecdsa.PublicKey
// (P-256), with its key ID ("" for a PEM key).
type JWK struct {
	Kid string
	Key crypto.PublicKey
}

// JWTKeySet is a parsed JWTKey: Secret for HS256, else Keys.
type JWTKeySet struct {
	Secret []byte
	Keys   []JWK
}

// ParseJWTKey parses and checks key material. It is used at write time
// (a bad key is refused) and by the appliance when it builds its table.
func ParseJWTKey(kind JWTKeyKind, data []byte) (JWTKeySet, error) {
	if len(data) > MaxJWTKeyBytes {
		return JWTKeySet{}, fmt.Errorf("key material is %d bytes; at most %d", len(data), MaxJWTKeyBytes)
	}
	switch kind {
	case JWTKeySecret:
		if len(data) < MinHS256Secret {
			return JWTKeySet{}, fmt.Errorf("an HS256 secret needs at least %d bytes, got %d", MinHS256Secret, len(data))
		}
		return JWTKeySet{Secret: data}, nil
	case JWTKeyPEM:
		k, err := parsePEMKey(data)
		if err != nil {
			return JWTKeySet{}, err
		}
		return JWTKeySet{Keys: []JWK{{Key: k}}}, nil
	case JWTKeyJWKS:
		keys, err := parseJWKS(data)
		return JWTKeySet{Keys: keys}, err
	}
	return JWTKeySet{}, fmt.Errorf("unknown key kind %q (hs256-secret, pem or jwks)", kind)
}

func parsePEMKey(data []byte) (crypto.PublicKey, error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, fmt.Errorf("no PEM block found (want a PUBLIC KEY or CERTIFICATE)")
	}
	var k any
	var err error
	switch b.Type {
	case "PUBLIC KEY":
		k, err = x509.ParsePKIXPublicKey(b.Bytes)
	case "RSA PUBLIC KEY":
		k, err = x509.ParsePKCS1PublicKey(b.Bytes)
	case "CERTIFICATE":
		var c *x509.Certificate
		if c, err = x509.ParseCertificate(b.Bytes); err == nil {
			k = c.PublicKey
		}
	default:
		return nil, fmt.Errorf("PEM block %q is not a public key (a private key must never be sent; send its public half)", b.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse PEM %s: %w", b.Type, err)
	}
	return checkPublicKey(k)
}

func checkPublicKey(k any) (crypto.PublicKey, error) {
	switch k := k.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < MinRSAKeyBits {
			return nil, fmt.Errorf("RSA key of %d bits; at least %d", k.N.BitLen(), MinRSAKeyBits)
		}
		return k, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("EC key on %s; ES256 needs P-256", k.Curve.Params().Name)
		}
		return k, nil
	}
	return nil, fmt.Errorf("unsupported public key type %T (RSA or EC P-256)", k)
}

// jwk is one key of a JWKS document, the fields RS256 and ES256 need.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseJWKS reads RSA (n, e) and EC P-256 (crv, x, y) keys of a JWKS
// document. It is one small stdlib function rather than a JWKS library:
// foyer needs only these two key types from a document the operator
// sends, with no fetching, caching or refresh a library would bring.
func parseJWKS(data []byte) ([]JWK, error) {
	var doc struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse JWKS: %w", err)
	}
	if len(doc.Keys) == 0 || len(doc.Keys) > maxJWKSKeys {
		return nil, fmt.Errorf("a JWKS needs 1 to %d keys, got %d", maxJWKSKeys, len(doc.Keys))
	}
	out := make([]JWK, 0, len(doc.Keys))
	for i, k := range doc.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		pk, err := k.publicKey()
		if err != nil {
			return nil, fmt.Errorf("JWKS key %d (kid %q): %w", i, truncate(k.Kid), err)
		}
		out = append(out, JWK{Kid: k.Kid, Key: pk})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the JWKS has no signing key")
	}
	return out, nil
}

func (k jwk) publicKey() (crypto.PublicKey, error) {
	b64 := base64.RawURLEncoding
	switch k.Kty {
	case "RSA":
		n, err1 := b64.DecodeString(k.N)
		e, err2 := b64.DecodeString(k.E)
		if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			return nil, fmt.Errorf("n and e must be base64url big-endian integers")
		}
		ev := int(new(big.Int).SetBytes(e).Int64())
		return checkPublicKey(&rsa.PublicKey{N: new(big.Int).SetBytes(n), E: ev})
	case "EC":
		if k.Crv != "P-256" {
			return nil, fmt.Errorf("curve %q; ES256 needs P-256", truncate(k.Crv))
		}
		x, err1 := b64.DecodeString(k.X)
		y, err2 := b64.DecodeString(k.Y)
		if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
			return nil, fmt.Errorf("x and y must be 32-byte base64url coordinates")
		}
		pk, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return nil, fmt.Errorf("not a point on P-256: %w", err)
		}
		return pk, nil
	}
	return nil, fmt.Errorf("key type %q; RSA or EC", truncate(k.Kty))
}

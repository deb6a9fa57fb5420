package policy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func BenchmarkJWTVerify(b *testing.B) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, c := range []struct {
		name string
		m    jwt.SigningMethod
		priv any
		pub  any
	}{{"RS256", jwt.SigningMethodRS256, rk, &rk.PublicKey}, {"ES256", jwt.SigningMethodES256, ek, &ek.PublicKey}} {
		tok, _ := jwt.NewWithClaims(c.m, jwt.MapClaims{"tenant": "acme", "exp": now.Add(time.Hour).Unix()}).SignedString(c.priv)
		v := keepVerifier(nil, "acme", &JWTConfig{Alg: c.name, Claim: "tenant", Keys: []JWK{{Key: c.pub}}})
		for _, cached := range []bool{false, true} {
			name := c.name + "/uncached"
			if cached {
				name = c.name + "/cached"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					if err := v.verify(tok, now, cached); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

package policy

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
	lru "github.com/hashicorp/golang-lru/v2"
)

// JWTConfig is how one tenant's JWTs are verified.
type JWTConfig struct {
	Alg    string // the one algorithm accepted: HS256, RS256 or ES256
	Claim  string // the claim that must hold the tenant's slug
	Secret []byte // HS256
	Keys   []JWK  // RS256 / ES256
}

// JWK is one public verification key with its key ID ("" matches a token
// without kid, or any token when it is the only key).
type JWK struct {
	Kid string
	Key crypto.PublicKey
}

// Verification constants.
const (
	// JWTLeeway is the clock skew allowed on exp and nbf.
	JWTLeeway = 30 * time.Second
	// jwtCacheTTL bounds how long a verified token is trusted without
	// verifying its signature again (never past its exp).
	jwtCacheTTL = 60 * time.Second
	// jwtCacheSize bounds the verified tokens kept per tenant.
	jwtCacheSize = 4096
)

// jwtVerifier verifies one tenant's tokens and caches the verified ones
// by SHA-256 of the token, so RS256 and ES256 are not paid per request.
type jwtVerifier struct {
	conf  JWTConfig
	slug  string
	cache *lru.Cache[[32]byte, time.Time] // token hash -> trusted until
}

// keepVerifier returns prev's verifier when the tenant's JWT settings did
// not change (its cache stays warm), else a new one, or nil.
func keepVerifier(prev *compiled, slug string, c *JWTConfig) *jwtVerifier {
	if c == nil {
		return nil
	}
	if prev != nil && prev.jwt != nil && prev.slug == slug && sameJWT(&prev.jwt.conf, c) {
		return prev.jwt
	}
	cache, _ := lru.New[[32]byte, time.Time](jwtCacheSize)
	return &jwtVerifier{conf: *c, slug: slug, cache: cache}
}

func sameJWT(a, b *JWTConfig) bool {
	if a.Alg != b.Alg || a.Claim != b.Claim || !bytes.Equal(a.Secret, b.Secret) || len(a.Keys) != len(b.Keys) {
		return false
	}
	for i := range a.Keys {
		if a.Keys[i].Kid != b.Keys[i].Kid || !sameKey(a.Keys[i].Key, b.Keys[i].Key) {
			return false
		}
	}
	return true
}

func sameKey(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}

// Errors of verify, as the client sees them.
var (
	errJWTInvalid = errors.New("the token is not valid for this site")
	errJWTExpired = errors.New("the token has expired or is not valid yet")
)

// verify checks tok's signature with the tenant's key and pinned
// algorithm, exp and nbf at now (with JWTLeeway), and that the claim names
// the tenant. When cache is false (trace), the cache is neither read nor
// filled.
func (v *jwtVerifier) verify(tok string, now time.Time, cache bool) error {
	sum := sha256.Sum256([]byte(tok))
	if cache {
		if until, ok := v.cache.Get(sum); ok && now.Before(until) {
			return nil
		}
	}
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(tok, claims, v.keyFunc,
		jwt.WithValidMethods([]string{v.conf.Alg}),
		jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithLeeway(JWTLeeway))
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) || errors.Is(err, jwt.ErrTokenNotValidYet) {
			return errJWTExpired
		}
		return errJWTInvalid
	}
	if s, _ := claims[v.conf.Claim].(string); s != v.slug {
		return errJWTInvalid
	}
	if cache {
		until := now.Add(jwtCacheTTL)
		if exp, err := claims.GetExpirationTime(); err == nil && exp != nil && exp.Time.Before(until) {
			until = exp.Time
		}
		v.cache.Add(sum, until)
	}
	return nil
}

// keyFunc returns the key for a token whose alg the parser has already
// pinned (WithValidMethods), so an HS256 token is never checked against an
// RSA key's bytes.
func (v *jwtVerifier) keyFunc(t *jwt.Token) (any, error) {
	if v.conf.Alg == "HS256" {
		if len(v.conf.Secret) == 0 {
			return nil, errJWTInvalid
		}
		return v.conf.Secret, nil
	}
	kid, _ := t.Header["kid"].(string)
	for _, k := range v.conf.Keys {
		if k.Kid == kid || len(v.conf.Keys) == 1 && kid == "" {
			if !keyFits(v.conf.Alg, k.Key) {
				return nil, errJWTInvalid
			}
			return k.Key, nil
		}
	}
	return nil, fmt.Errorf("no key with kid %q", kid)
}

func keyFits(alg string, k crypto.PublicKey) bool {
	switch k.(type) {
	case *rsa.PublicKey:
		return alg == "RS256"
	case *ecdsa.PublicKey:
		return alg == "ES256"
	}
	return false
}

const msgNoCreds = "naming a tenant in X-Tenant-ID or a token needs that tenant's credentials: an API key (Authorization: Bearer or X-API-Key) or a JWT signed with its key"

// Authenticate checks a request whose tenant was only proposed (by
// X-Tenant-ID or a JWT claim): it must carry one of the tenant's API keys
// (whatever its api-keys mode) or a JWT verified with the tenant's key.
// Status 0 means authenticated; Key names the API key used, if any. It
// runs before Check, so an unauthenticated request never touches the
// tenant's limits. h is the answer's header (WWW-Authenticate on 401).
func (r *Registry) Authenticate(tenantID uint64, req *http.Request, h http.Header, bearerJWT string) Verdict {
	return r.authenticate(tenantID, req, h, bearerJWT, true)
}

func (r *Registry) authenticate(tenantID uint64, req *http.Request, h http.Header, bearerJWT string, live bool) Verdict {
	refuse := func(msg string) Verdict {
		if h != nil {
			h.Set("WWW-Authenticate", `Bearer realm="foyer", error="invalid_token"`)
		}
		return Verdict{Status: http.StatusUnauthorized, Msg: msg}
	}
	st := r.state(tenantID)
	if st == nil {
		return refuse(msgNoCreds)
	}
	c := st.cfg.Load()
	now := r.now()
	if bearerJWT != "" && c.jwt != nil {
		if err := c.jwt.verify(bearerJWT, now, live); err != nil {
			return refuse(err.Error())
		}
		return Verdict{}
	}
	if token(req) == "" {
		return refuse(msgNoCreds)
	}
	kc := *c
	kc.APIKeys = KeysRequired
	name, status, msg := st.checkKeyAt(&kc, req, now, live)
	if status != 0 {
		return refuse(msg)
	}
	return Verdict{Key: name}
}

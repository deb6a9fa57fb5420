package proxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/foyerhq/foyer/store"
)

// identDo sends GET path with Host host and header pairs hdr.
func identDo(t testing.TB, srv *httptest.Server, host, path string, hdr ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	req.Host = host
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestIdentAliasAndPath(t *testing.T) {
	// Ensure that aliases route like slugs, and id-paths route the bare base domain with the prefix stripped or kept.
	a, bl := newBackend(t, "acme"), newBackend(t, "blue")
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {a.URL}, "blue": {bl.URL}}))
	f.change(func(tx store.Tx) error {
		if err := tx.AddTenantAlias("acme", "www-acme"); err != nil {
			return err
		}
		if err := tx.SetTenantPolicy("acme", store.Policy{"id-path": "/t/acme"}); err != nil {
			return err
		}
		return tx.SetTenantPolicy("blue", store.Policy{"id-path": "/t/blue", "id-path-strip": "false"})
	})
	srv := frontend(t, f.h)
	defer srv.Close()
	for _, c := range []struct{ host, path, want string }{
		{"www-acme.example.test", "/x", "acme /x"},
		{"example.test", "/t/acme/x/y", "acme /x/y"},
		{"example.test", "/t/acme", "acme /"},
		{"example.test:8080", "/t/blue/x", "blue /t/blue/x"},
	} {
		if code, body := identDo(t, srv, c.host, c.path); code != 200 || body != c.want {
			t.Errorf("%s%s = %d %q, want %q", c.host, c.path, code, body, c.want)
		}
	}
	for _, c := range []struct{ host, path string }{
		{"example.test", "/t/acmex"}, {"example.test", "/"}, {"other.test", "/t/acme/x"}, {"x.www-acme.example.test", "/"},
	} {
		if code, _ := identDo(t, srv, c.host, c.path); code != 404 {
			t.Errorf("%s%s = %d, want 404", c.host, c.path, code)
		}
	}
}

func TestIdentHeaderNeedsCredentials(t *testing.T) {
	// Ensure that X-Tenant-ID only proposes a tenant: without that tenant's API key it is 401 and no backend is hit.
	a, bl := newBackend(t, "acme"), newBackend(t, "blue")
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {a.URL}, "blue": {bl.URL}}))
	tok, id, hash, _ := store.NewAPIKeyToken()
	btok, bid, bhash, _ := store.NewAPIKeyToken()
	f.change(func(tx store.Tx) error {
		if err := tx.SetTenantPolicy("acme", store.Policy{"id-header": "true"}); err != nil {
			return err
		}
		if err := tx.CreateAPIKey(&store.APIKey{ID: bid, Tenant: "blue", Name: "k", Hash: bhash}); err != nil {
			return err
		}
		return tx.CreateAPIKey(&store.APIKey{ID: id, Tenant: "acme", Name: "k", Hash: hash})
	})
	srv := frontend(t, f.h)
	defer srv.Close()
	for _, hdr := range [][]string{
		{"X-Tenant-ID", "acme"},
		{"X-Tenant-ID", "acme", "X-API-Key", btok}, // another tenant's key
		{"X-Tenant-ID", "acme", "X-API-Key", tok[:len(tok)-1] + "x"},
		{"X-Tenant-ID", "acme", "Authorization", "Bearer a.b.c"},
	} {
		if code, _ := identDo(t, srv, "example.test", "/", hdr...); code != 401 {
			t.Errorf("%v: %d, want 401", hdr, code)
		}
	}
	if code, _ := identDo(t, srv, "example.test", "/", "X-Tenant-ID", "blue", "X-API-Key", btok); code != 404 {
		t.Errorf("blue without id-header: %d, want 404", code)
	}
	if a.hits.Load() != 0 || bl.hits.Load() != 0 {
		t.Fatalf("backends hit without credentials: acme %d, blue %d", a.hits.Load(), bl.hits.Load())
	}
	if code, body := identDo(t, srv, "example.test", "/x", "X-Tenant-ID", "acme", "X-API-Key", tok); code != 200 || body != "acme /x" {
		t.Fatalf("with the key: %d %q", code, body)
	}
	if seen, _ := a.seen(); seen.Get("X-Api-Key") != "" {
		t.Fatal("the backend saw the API key")
	}
	// A host that names a tenant ignores X-Tenant-ID.
	if code, body := identDo(t, srv, "blue.example.test", "/", "X-Tenant-ID", "acme"); code != 200 || body != "blue /" {
		t.Fatalf("host wins: %d %q", code, body)
	}
}

// jwtKeys are real keys of each algorithm, generated once.
type jwtKeys struct {
	secret []byte
	rsa    *rsa.PrivateKey
	rsa2   *rsa.PrivateKey
	ec     *ecdsa.PrivateKey
}

func newJWTKeys(t testing.TB) *jwtKeys {
	k := &jwtKeys{secret: []byte("a-secret-of-at-least-thirty-two-bytes!!")}
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.rsa2, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	return k
}

func pemOf(t testing.TB, pub any) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func jwksOf(t testing.TB, rsaKid string, r *rsa.PublicKey, ecKid string, e *ecdsa.PublicKey) []byte {
	b64 := base64.RawURLEncoding.EncodeToString
	x, y := make([]byte, 32), make([]byte, 32)
	e.X.FillBytes(x)
	e.Y.FillBytes(y)
	doc := map[string]any{"keys": []map[string]string{
		{"kty": "RSA", "kid": rsaKid, "n": b64(r.N.Bytes()), "e": b64(big.NewInt(int64(r.E)).Bytes())},
		{"kty": "EC", "kid": ecKid, "crv": "P-256", "x": b64(x), "y": b64(y)},
	}}
	out, _ := json.Marshal(doc)
	return out
}

func sign(t testing.TB, m jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	tk := jwt.NewWithClaims(m, claims)
	if kid != "" {
		tk.Header["kid"] = kid
	}
	s, err := tk.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestIdentJWT(t *testing.T) {
	// Ensure that a JWT claim proposes a tenant that its key, pinned algorithm, exp and nbf then verify.
	keys := newJWTKeys(t)
	a, bl := newBackend(t, "acme"), newBackend(t, "blue")
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {a.URL}, "blue": {bl.URL}}))
	now := f.clock()
	claims := func(tenant string, exp, nbf time.Time) jwt.MapClaims {
		return jwt.MapClaims{"tenant": tenant, "exp": exp.Unix(), "nbf": nbf.Unix()}
	}
	good := claims("acme", now.Add(time.Hour), now.Add(-time.Minute))
	srv := frontend(t, f.h)
	defer srv.Close()
	for _, c := range []struct {
		alg  string
		kind store.JWTKeyKind
		data []byte
		m    jwt.SigningMethod
		key  any
		kid  string
	}{
		{"HS256", store.JWTKeySecret, keys.secret, jwt.SigningMethodHS256, keys.secret, ""},
		{"RS256", store.JWTKeyPEM, pemOf(t, &keys.rsa.PublicKey), jwt.SigningMethodRS256, keys.rsa, ""},
		{"ES256", store.JWTKeyPEM, pemOf(t, &keys.ec.PublicKey), jwt.SigningMethodES256, keys.ec, ""},
		{"RS256", store.JWTKeyJWKS, jwksOf(t, "r1", &keys.rsa.PublicKey, "e1", &keys.ec.PublicKey), jwt.SigningMethodRS256, keys.rsa, "r1"},
		{"ES256", store.JWTKeyJWKS, jwksOf(t, "r1", &keys.rsa.PublicKey, "e1", &keys.ec.PublicKey), jwt.SigningMethodES256, keys.ec, "e1"},
	} {
		t.Run(c.alg+"/"+string(c.kind), func(t *testing.T) {
			f.change(func(tx store.Tx) error {
				if err := tx.SetJWTKey(&store.JWTKey{Tenant: "acme", Kind: c.kind, Data: c.data}); err != nil {
					return err
				}
				return tx.SetTenantPolicy("acme", store.Policy{"jwt": "on", "jwt-alg": c.alg})
			})
			hits := a.hits.Load()
			bearer := func(s string) []string { return []string{"Authorization", "Bearer " + s} }
			if code, body := identDo(t, srv, "example.test", "/x", bearer(sign(t, c.m, c.key, c.kid, good))...); code != 200 || body != "acme /x" {
				t.Fatalf("good token: %d %q", code, body)
			}
			bad := map[string]string{
				"expired":       sign(t, c.m, c.key, c.kid, claims("acme", now.Add(-time.Hour), now.Add(-2*time.Hour))),
				"not yet valid": sign(t, c.m, c.key, c.kid, claims("acme", now.Add(2*time.Hour), now.Add(time.Hour))),
				"wrong key":     sign(t, jwt.SigningMethodRS256, keys.rsa2, c.kid, good),
				"wrong alg":     sign(t, jwt.SigningMethodHS256, pemOf(t, &keys.rsa.PublicKey), c.kid, good),
				"unknown kid":   sign(t, c.m, c.key, "nope", good),
			}
			if c.alg == "HS256" {
				bad["wrong alg"] = sign(t, jwt.SigningMethodES256, keys.ec, "", good)
				bad["wrong key"] = sign(t, jwt.SigningMethodHS256, []byte("another-secret-of-thirty-two-bytes-long"), "", good)
				delete(bad, "unknown kid")
			}
			if c.kind != store.JWTKeyJWKS {
				delete(bad, "unknown kid")
			}
			for name, tok := range bad {
				if code, _ := identDo(t, srv, "example.test", "/", bearer(tok)...); code != 401 {
					t.Errorf("%s: %d, want 401", name, code)
				}
			}
			// A token for acme naming blue in the claim proposes blue, which has jwt off: not found.
			if code, _ := identDo(t, srv, "example.test", "/", bearer(sign(t, c.m, c.key, c.kid, claims("blue", now.Add(time.Hour), now)))...); code != 404 {
				t.Errorf("claim of a tenant without jwt: %d, want 404", code)
			}
			if got := a.hits.Load() - hits; got != 1 || bl.hits.Load() != 0 {
				t.Fatalf("backend hits: acme %d (want 1), blue %d", got, bl.hits.Load())
			}
		})
	}
}

func TestIdentJWTWrongTenantClaim(t *testing.T) {
	// Ensure that a token signed with one tenant's key cannot enter another tenant by naming it in the claim.
	keys := newJWTKeys(t)
	a, bl := newBackend(t, "acme"), newBackend(t, "blue")
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {a.URL}, "blue": {bl.URL}}))
	f.change(func(tx store.Tx) error {
		for slug, k := range map[string]*rsa.PrivateKey{"acme": keys.rsa, "blue": keys.rsa2} {
			if err := tx.SetJWTKey(&store.JWTKey{Tenant: slug, Kind: store.JWTKeyPEM, Data: pemOf(t, &k.PublicKey)}); err != nil {
				return err
			}
			if err := tx.SetTenantPolicy(slug, store.Policy{"jwt": "on"}); err != nil {
				return err
			}
		}
		return nil
	})
	srv := frontend(t, f.h)
	defer srv.Close()
	tok := sign(t, jwt.SigningMethodRS256, keys.rsa, "", jwt.MapClaims{"tenant": "blue", "exp": f.clock().Add(time.Hour).Unix()})
	if code, _ := identDo(t, srv, "example.test", "/", "Authorization", "Bearer "+tok); code != 401 {
		t.Fatalf("acme-signed token claiming blue: %d, want 401", code)
	}
	if bl.hits.Load() != 0 || a.hits.Load() != 0 {
		t.Fatal("a backend was hit")
	}
	// The cache never outlives exp: a cached token is refused once the clock passes exp.
	tok = sign(t, jwt.SigningMethodRS256, keys.rsa, "", jwt.MapClaims{"tenant": "acme", "exp": f.clock().Add(10 * time.Second).Unix()})
	if code, _ := identDo(t, srv, "example.test", "/", "Authorization", "Bearer "+tok); code != 200 {
		t.Fatalf("fresh token: %d", code)
	}
	f.advance(time.Minute)
	if code, _ := identDo(t, srv, "example.test", "/", "Authorization", "Bearer "+tok); code != 401 {
		t.Fatalf("expired cached token: %d, want 401", code)
	}
}

package proxy

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/policy"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// polFixture is a handler over a store the test changes, with a policy
// registry on a clock the test moves.
type polFixture struct {
	t   testing.TB
	db  store.Store
	h   *Handler
	mu  sync.Mutex
	now time.Time
}

func newPolFixture(t testing.TB, fn func(tx store.Tx) error) *polFixture {
	db, err := memstore.Open(context.Background(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := &polFixture{t: t, db: db, now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	f.h = New(Options{Policy: policy.New(policy.Options{Now: f.clock})})
	t.Cleanup(f.h.Close)
	f.change(fn)
	return f
}

func (f *polFixture) clock() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }

func (f *polFixture) advance(d time.Duration) { f.mu.Lock(); f.now = f.now.Add(d); f.mu.Unlock() }

func (f *polFixture) change(fn func(tx store.Tx) error) {
	ctx := context.Background()
	if err := f.db.Update(ctx, "test", fn); err != nil {
		f.t.Fatal(err)
	}
	snap, err := f.db.Snapshot(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	tbl, err := route.Build(snap)
	if err != nil {
		f.t.Fatal(err)
	}
	f.h.Swap(tbl, snap.Settings)
}

func setPolicy(slug string, kv ...string) func(tx store.Tx) error {
	return func(tx store.Tx) error {
		p := store.Policy{}
		for i := 0; i+1 < len(kv); i += 2 {
			p[kv[i]] = kv[i+1]
		}
		return tx.SetTenantPolicy(slug, p)
	}
}

// do sends one request through srv for host and returns the answer and body.
func do(t testing.TB, srv *httptest.Server, method, host string, hdr ...string) (*http.Response, string) {
	req, _ := http.NewRequest(method, srv.URL+"/p", nil)
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
	return resp, string(b)
}

// Ensure that the tenant's rate limit answers 429 with its headers without
// contacting the backend, that a plan change applies to every tenant on the
// plan at once, and that a tenant's override beats its plan.
func TestPolicyRateAndPlans(t *testing.T) {
	b := newBackend(t, "b")
	f := newPolFixture(t, func(tx store.Tx) error {
		if err := tenants("example.test", map[string][]string{"acme": {b.URL}, "beta": {b.URL}, "gamma": {b.URL}})(tx); err != nil {
			return err
		}
		if err := tx.PutPlan(&store.Plan{Name: "free", Policy: store.Policy{"rate": "1", "burst": "2"}}); err != nil {
			return err
		}
		for _, s := range []string{"acme", "beta", "gamma"} {
			if err := tx.SetTenantPlan(s, "free"); err != nil {
				return err
			}
		}
		return tx.SetTenantPolicy("gamma", store.Policy{"rate": "0"})
	})
	srv := frontend(t, f.h)
	defer srv.Close()
	for i := range 2 {
		if resp, _ := do(t, srv, "GET", "acme.example.test"); resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	hits := b.hits.Load()
	resp, body := do(t, srv, "GET", "acme.example.test")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || resp.Header.Get("RateLimit-Limit") != "2" ||
		resp.Header.Get("RateLimit-Remaining") != "0" || !strings.Contains(body, "too many requests") || b.hits.Load() != hits {
		t.Fatalf("third request: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	for range 5 {
		if resp, _ := do(t, srv, "GET", "gamma.example.test"); resp.StatusCode != 200 {
			t.Fatalf("gamma overrides rate to off: %d", resp.StatusCode)
		}
	}
	f.change(func(tx store.Tx) error {
		return tx.PutPlan(&store.Plan{Name: "free", Policy: store.Policy{"rate": "1", "burst": "1", "maintenance": "true",
			"maintenance-message": "upgrading the database"}})
	})
	for _, host := range []string{"acme.example.test", "beta.example.test", "gamma.example.test"} {
		resp, body := do(t, srv, "GET", host)
		if resp.StatusCode != 503 || !strings.Contains(body, "upgrading the database") {
			t.Fatalf("%s after the plan change: %d %q", host, resp.StatusCode, body)
		}
	}
}

// Ensure that max-in-flight answers 503 at once while the tenant's slots are
// held, and serves again when they are released.
func TestPolicyConcurrency(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
		io.WriteString(w, "slow")
	}))
	defer slow.Close()
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {slow.URL}}))
	f.change(setPolicy("acme", "max-in-flight", "1"))
	srv := frontend(t, f.h)
	defer srv.Close()
	first := make(chan int, 1)
	go func() { resp, _ := do(t, srv, "GET", "acme.example.test"); first <- resp.StatusCode }()
	<-entered
	start := time.Now()
	resp, body := do(t, srv, "GET", "acme.example.test", "Accept", "application/json")
	if resp.StatusCode != 503 || !strings.Contains(body, `"request_id"`) || time.Since(start) > 2*time.Second {
		t.Fatalf("second request while the first holds the slot: %d %q", resp.StatusCode, body)
	}
	close(release)
	if c := <-first; c != 200 {
		t.Fatalf("first request: %d", c)
	}
	if resp, _ := do(t, srv, "GET", "acme.example.test"); resp.StatusCode != 200 {
		t.Fatalf("after release: %d", resp.StatusCode)
	}
}

// Ensure that API keys work through the proxy: required refuses without a
// key, a key the store made passes and is not shown to the backend, and an
// expired key and a revoked key are refused.
func TestPolicyAPIKeys(t *testing.T) {
	b := newBackend(t, "b")
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {b.URL}}))
	tok, id, hash, err := store.NewAPIKeyToken()
	if err != nil {
		t.Fatal(err)
	}
	f.change(func(tx store.Tx) error {
		if err := tx.SetTenantPolicy("acme", store.Policy{"api-keys": "required"}); err != nil {
			return err
		}
		return tx.CreateAPIKey(&store.APIKey{ID: id, Tenant: "acme", Name: "ci", Hash: hash, Expires: time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)})
	})
	srv := frontend(t, f.h)
	defer srv.Close()
	resp, _ := do(t, srv, "GET", "acme.example.test")
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("no key: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := do(t, srv, "GET", "acme.example.test", "Authorization", "Bearer "+tok); resp.StatusCode != 200 {
		t.Fatalf("with the key: %d", resp.StatusCode)
	}
	if seen, _ := b.seen(); seen.Get("Authorization") != "" {
		t.Fatal("the backend saw the API key")
	}
	if resp, _ := do(t, srv, "GET", "acme.example.test", "X-API-Key", tok[:len(tok)-1]+"x"); resp.StatusCode != 401 {
		t.Fatalf("a wrong secret: %d", resp.StatusCode)
	}
	if used := f.h.Policy().UsedKeys(); len(used) != 1 {
		t.Fatalf("used keys = %v", used)
	}
	f.advance(25 * time.Hour)
	if resp, _ := do(t, srv, "GET", "acme.example.test", "X-API-Key", tok); resp.StatusCode != 401 {
		t.Fatalf("expired: %d", resp.StatusCode)
	}
	f.advance(-25 * time.Hour)
	f.change(func(tx store.Tx) error { return tx.RevokeAPIKey("acme", "ci") })
	if resp, _ := do(t, srv, "GET", "acme.example.test", "X-API-Key", tok); resp.StatusCode != 401 {
		t.Fatalf("revoked: %d", resp.StatusCode)
	}
}

// Ensure that header rules change what the backend and the client see,
// that HSTS is sent over HTTPS only, and that redirect-https redirects
// plain HTTP.
func TestPolicyHeadersHSTSRedirect(t *testing.T) {
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "secret/1.0")
		w.Header().Set("X-Plan", "from-backend")
		io.WriteString(w, "req-env="+r.Header.Get("X-Env")+" cookie="+r.Header.Get("Cookie"))
	}))
	defer b.Close()
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {b.URL}}))
	f.change(setPolicy("acme", "request-headers-set", "X-Env:prod", "request-headers-remove", "Cookie",
		"response-headers-set", "X-Plan:pro", "response-headers-remove", "Server"))
	plain := frontend(t, f.h)
	defer plain.Close()
	resp, body := do(t, plain, "GET", "acme.example.test", "Cookie", "a=b")
	if body != "req-env=prod cookie=" || resp.Header.Get("Server") != "" || resp.Header.Get("X-Plan") != "pro" ||
		resp.Header.Get("Strict-Transport-Security") != "" {
		t.Fatalf("header rules over http: %q %v", body, resp.Header)
	}
	tlsSrv := httptest.NewUnstartedServer(f.h)
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	tlsSrv.Client().Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true} // no SNI check: ServerName unset
	resp, _ = do(t, tlsSrv, "GET", "acme.example.test")
	if resp.StatusCode != 200 || resp.Header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Fatalf("https answer: %d %v", resp.StatusCode, resp.Header)
	}
	f.change(setPolicy("acme", "hsts", "false", "redirect-https", "true"))
	if resp, _ = do(t, tlsSrv, "GET", "acme.example.test"); resp.Header.Get("Strict-Transport-Security") != "" || resp.StatusCode != 200 {
		t.Fatalf("hsts off: %d %v", resp.StatusCode, resp.Header)
	}
	plain.Client().CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, _ = do(t, plain, "GET", "acme.example.test")
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "https://acme.example.test/p" {
		t.Fatalf("redirect: %d %v", resp.StatusCode, resp.Header)
	}
	f.change(setPolicy("acme", "hsts", "", "maintenance", "true"))
	if resp, _ = do(t, tlsSrv, "GET", "acme.example.test"); resp.StatusCode != 503 || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("foyer's own answer over https: %d %v", resp.StatusCode, resp.Header)
	}
}

// Ensure that allow and deny lists apply to the connection's address.
func TestPolicyIPRules(t *testing.T) {
	b := newBackend(t, "b")
	f := newPolFixture(t, tenants("example.test", map[string][]string{"acme": {b.URL}}))
	srv := frontend(t, f.h)
	defer srv.Close()
	f.change(setPolicy("acme", "deny", "127.0.0.0/8"))
	if resp, _ := do(t, srv, "GET", "acme.example.test"); resp.StatusCode != 403 {
		t.Fatalf("denied loopback: %d", resp.StatusCode)
	}
	f.change(setPolicy("acme", "deny", "", "allow", "10.0.0.0/8"))
	if resp, _ := do(t, srv, "GET", "acme.example.test"); resp.StatusCode != 403 {
		t.Fatalf("loopback outside allow: %d", resp.StatusCode)
	}
	f.change(setPolicy("acme", "allow", "10.0.0.0/8,127.0.0.1"))
	if resp, _ := do(t, srv, "GET", "acme.example.test"); resp.StatusCode != 200 {
		t.Fatalf("loopback in allow: %d", resp.StatusCode)
	}
}

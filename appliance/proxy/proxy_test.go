package proxy

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// backend is a real loopback HTTP server that records what it saw.
type backend struct {
	*httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	last http.Header
	host string
}

func newBackend(t *testing.T, name string) *backend {
	b := &backend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		b.mu.Lock()
		b.last, b.host = r.Header.Clone(), r.Host
		b.mu.Unlock()
		io.WriteString(w, name+" "+r.URL.Path)
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *backend) seen() (http.Header, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last, b.host
}

// setup builds a real store with tenants, compiles it and returns the handler.
func setup(t *testing.T, fn func(tx store.Tx) error) *Handler {
	ctx := context.Background()
	db, err := memstore.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, "test", fn); err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := route.Build(snap)
	if err != nil {
		t.Fatal(err)
	}
	h := New(Options{})
	h.Swap(tbl, snap.Settings)
	t.Cleanup(h.Close)
	return h
}

func tenants(base string, bs map[string][]string, suspended ...string) func(store.Tx) error {
	return func(tx store.Tx) error {
		s, _ := tx.Settings()
		s.BaseDomain = base
		if err := tx.SetSettings(s); err != nil {
			return err
		}
		for slug, urls := range bs {
			tn := &store.Tenant{Slug: slug}
			for _, x := range suspended {
				if x == slug {
					tn.State = store.TenantSuspended
				}
			}
			if err := tx.CreateTenant(tn); err != nil {
				return err
			}
			for _, u := range urls {
				if err := tx.AddBackend(&store.Backend{Tenant: slug, URL: u}); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

func get(t *testing.T, srv *httptest.Server, host string, hdr map[string]string) (*http.Response, string) {
	req, _ := http.NewRequest("GET", srv.URL+"/p", nil)
	req.Host = host
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// Ensure that a request is routed by host, balanced round robin, and carries
// foyer's forwarding headers, with spoofed ones replaced.
func TestForwardHeaders(t *testing.T) {
	b1, b2 := newBackend(t, "b1"), newBackend(t, "b2")
	h := setup(t, tenants("example.test", map[string][]string{"acme": {b1.URL, b2.URL}}))
	srv := frontend(t, h)
	defer srv.Close()
	for i := 0; i < 4; i++ {
		resp, body := get(t, srv, "ACME.example.test:8080", map[string]string{
			"X-Forwarded-For": "6.6.6.6", "X-Forwarded-Host": "evil", "X-Foyer-Tenant": "other", "X-Foyer-Admin": "1",
			"Forwarded": "for=6.6.6.6"})
		if resp.StatusCode != 200 || !strings.HasSuffix(body, " /p") {
			t.Fatalf("status %d body %q", resp.StatusCode, body)
		}
		if resp.Header.Get("X-Request-Id") == "" {
			t.Fatal("no X-Request-Id on the response")
		}
	}
	if b1.hits.Load() != 2 || b2.hits.Load() != 2 {
		t.Fatalf("round robin gave %d/%d", b1.hits.Load(), b2.hits.Load())
	}
	hdr, host := b1.seen()
	checks := map[string]string{"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Host": "ACME.example.test:8080",
		"X-Forwarded-Proto": "http", "X-Foyer-Tenant": "acme", "X-Foyer-Admin": "", "Forwarded": ""}
	for k, want := range checks {
		if got := strings.Join(hdr.Values(k), ","); got != want {
			t.Errorf("backend saw %s=%q, want %q", k, got, want)
		}
	}
	if host != "ACME.example.test:8080" {
		t.Errorf("backend saw Host %q", host)
	}
	if hdr.Get("X-Request-Id") == "" {
		t.Error("backend saw no X-Request-Id")
	}
}

// Ensure that a trusted proxy's forwarding headers are kept and extended.
func TestTrustedProxyKeepsForwarding(t *testing.T) {
	b := newBackend(t, "b")
	h := setup(t, func(tx store.Tx) error {
		if err := tenants("example.test", map[string][]string{"acme": {b.URL}})(tx); err != nil {
			return err
		}
		s, _ := tx.Settings()
		s.TrustedProxies = []string{"127.0.0.0/8"}
		return tx.SetSettings(s)
	})
	srv := frontend(t, h)
	defer srv.Close()
	get(t, srv, "acme.example.test", map[string]string{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https",
		"Forwarded": "for=203.0.113.9;proto=https"})
	hdr, _ := b.seen()
	if got := hdr.Get("Forwarded"); got != "for=203.0.113.9;proto=https" {
		t.Errorf("Forwarded %q", got)
	}
	if got := hdr.Get("X-Forwarded-For"); got != "203.0.113.9, 127.0.0.1" {
		t.Errorf("X-Forwarded-For %q", got)
	}
	if got := hdr.Get("X-Forwarded-Proto"); got != "https" {
		t.Errorf("X-Forwarded-Proto %q", got)
	}
}

// Ensure that foyer's own answers (404, 503, 502) carry a clear body in
// HTML or JSON and never reach a backend that should not be contacted.
func TestErrorAnswers(t *testing.T) {
	b := newBackend(t, "b")
	dead := deadURL(t)
	h := setup(t, tenants("example.test", map[string][]string{
		"acme": {b.URL}, "sleepy": {b.URL}, "broken": {dead}, "empty": nil}, "sleepy"))
	srv := frontend(t, h)
	defer srv.Close()
	cases := []struct {
		name, host string
		status     int
		msg        string
	}{
		{"unknown host", "nobody.other.test", 404, "no site is configured"},
		{"two labels below base", "a.acme.example.test", 404, "no site is configured"},
		{"suspended tenant", "sleepy.example.test", 503, "suspended"},
		{"no backends", "empty.example.test", 503, "no backend"},
		{"backend unreachable", "broken.example.test", 502, "could not be reached"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := get(t, srv, c.host, nil)
			if resp.StatusCode != c.status || !strings.Contains(body, c.msg) || !strings.Contains(body, "<h1>") {
				t.Fatalf("HTML: status %d body %q", resp.StatusCode, body)
			}
			resp, body = get(t, srv, c.host, map[string]string{"Accept": "application/json"})
			var j struct {
				Status    int    `json:"status"`
				Message   string `json:"message"`
				RequestID string `json:"request_id"`
			}
			if err := json.Unmarshal([]byte(body), &j); err != nil || j.Status != c.status || j.RequestID == "" ||
				!strings.Contains(j.Message, c.msg) {
				t.Fatalf("JSON: status %d body %q", resp.StatusCode, body)
			}
		})
	}
	if n := b.hits.Load(); n != 0 {
		t.Fatalf("backend was contacted %d times by requests foyer should have refused", n)
	}
}

// deadURL returns a loopback URL where nothing listens.
func deadURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// Ensure that over TLS an SNI naming another tenant than the Host gets 421.
func TestMisdirectedRequest(t *testing.T) {
	b := newBackend(t, "b")
	h := setup(t, tenants("example.test", map[string][]string{"acme": {b.URL}, "beta": {b.URL}}))
	srv := httptest.NewUnstartedServer(h)
	srv.StartTLS() // its test certificate is served for any SNI
	defer srv.Close()
	client := func(sni string) *http.Client {
		tr := srv.Client().Transport.(*http.Transport).Clone()
		tr.TLSClientConfig.ServerName = sni
		tr.TLSClientConfig.InsecureSkipVerify = true
		return &http.Client{Transport: tr}
	}
	do := func(sni, host string) int {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		req.Host = host
		resp, err := client(sni).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := do("acme.example.test", "acme.example.test"); got != 200 {
		t.Fatalf("same tenant: %d", got)
	}
	if got := do("acme.example.test", "beta.example.test"); got != 421 {
		t.Fatalf("other tenant: %d, want 421", got)
	}
}

// Ensure that swapping in a new table changes routing for new requests and
// keeps the rotation position of a pool that still exists.
func TestSwapKeepsRotation(t *testing.T) {
	b1, b2 := newBackend(t, "b1"), newBackend(t, "b2")
	h := setup(t, tenants("example.test", map[string][]string{"acme": {b1.URL, b2.URL}}))
	srv := frontend(t, h)
	defer srv.Close()
	_, first := get(t, srv, "acme.example.test", nil)
	h.Swap(h.Table(), store.DefaultSettings()) // a rebuild with the same pools
	_, second := get(t, srv, "acme.example.test", nil)
	if first[:2] == second[:2] {
		t.Fatalf("rotation restarted across a swap: %q then %q", first, second)
	}
}

func BenchmarkServeHTTPNotFound(b *testing.B) {
	h := New(Options{})
	tbl, _ := route.Build(&store.Snapshot{Settings: store.DefaultSettings()})
	h.Swap(tbl, store.DefaultSettings())
	req := httptest.NewRequest("GET", "http://nobody.test/", nil)
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

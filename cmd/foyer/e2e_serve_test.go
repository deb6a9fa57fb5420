package main

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// seenBackend is a loopback backend that records what reached it.
type seenBackend struct {
	*httptest.Server
	hits atomic.Int64
	mu   sync.Mutex
	reqs []*http.Request
}

func newSeenBackend(t *testing.T, name string) *seenBackend {
	b := &seenBackend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		b.mu.Lock()
		b.reqs = append(b.reqs, r.Clone(r.Context()))
		b.mu.Unlock()
		io.WriteString(w, name)
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *seenBackend) last() *http.Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.reqs[len(b.reqs)-1]
}

// Ensure that every spine command works against a running daemon and that
// traffic is routed, forwarded and refused as configured, over HTTP and TLS.
func TestServeEndToEnd(t *testing.T) {
	d := startDaemon(t, t.TempDir())
	a1, a2, b1 := newSeenBackend(t, "a1"), newSeenBackend(t, "a2"), newSeenBackend(t, "b1")

	d.must("settings", "set", "base-domain", "example.test")
	if got := strings.TrimSpace(d.must("settings", "get", "base-domain")); !strings.Contains(got, "example.test") {
		t.Fatalf("settings get base-domain: %q", got)
	}
	d.must("tenant", "add", "acme", "--name", "Acme Inc.")
	d.must("tenant", "add", "beta")
	d.must("backend", "add", "acme", a1.URL)
	d.must("backend", "add", "acme", a2.URL, "--weight", "1")
	d.must("backend", "add", "beta", b1.URL, "--pool", "default")
	d.must("domain", "add", "acme", "Shop.Customer.test")

	var tenants []api.Tenant
	d.mustJSON(&tenants, "tenant", "list")
	if len(tenants) != 2 || tenants[0].Slug != "acme" || tenants[0].Name != "Acme Inc." {
		t.Fatalf("tenant list: %+v", tenants)
	}
	var detail api.TenantDetail
	d.mustJSON(&detail, "tenant", "show", "acme")
	if len(detail.Backends) != 2 || len(detail.Domains) != 1 || detail.Domains[0].Name != "shop.customer.test" {
		t.Fatalf("tenant show acme: %+v", detail)
	}
	var domains []api.Domain
	d.mustJSON(&domains, "domain", "list")
	if len(domains) != 1 || domains[0].State != "pending_dns" {
		t.Fatalf("domain list: %+v", domains)
	}
	caPool := importCert(t, d, "acme.example.test", "shop.customer.test")
	d.applied()

	c := &http.Client{Timeout: 5 * time.Second}
	base := d.url("http")
	t.Run("routing", func(t *testing.T) {
		for i := 0; i < 4; i++ {
			if code, body := hostGet(t, c, base+"/x", "acme.example.test"); code != 200 || (body != "a1" && body != "a2") {
				t.Fatalf("acme: %d %q", code, body)
			}
		}
		if a1.hits.Load() != 2 || a2.hits.Load() != 2 {
			t.Fatalf("round robin: a1=%d a2=%d", a1.hits.Load(), a2.hits.Load())
		}
		if code, body := hostGet(t, c, base+"/", "shop.customer.test:80"); code != 200 || body[0] != 'a' {
			t.Fatalf("custom domain: %d %q", code, body)
		}
		if code, body := hostGet(t, c, base+"/", "BETA.example.test."); code != 200 || body != "b1" {
			t.Fatalf("beta: %d %q", code, body)
		}
		r := b1.last()
		for k, want := range map[string]string{"X-Foyer-Tenant": "beta", "X-Forwarded-For": "127.0.0.1",
			"X-Forwarded-Proto": "http", "X-Forwarded-Host": "BETA.example.test."} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("backend saw %s=%q, want %q", k, got, want)
			}
		}
		if r.Host != "BETA.example.test." {
			t.Errorf("backend saw Host %q", r.Host)
		}
	})
	t.Run("unknown host is 404 with no backend contacted", func(t *testing.T) {
		before := a1.hits.Load() + a2.hits.Load() + b1.hits.Load()
		if code, body := hostGet(t, c, base+"/", "nobody.example.test"); code != 404 || !strings.Contains(body, "request") {
			t.Fatalf("unknown host: %d %q", code, body)
		}
		if after := a1.hits.Load() + a2.hits.Load() + b1.hits.Load(); after != before {
			t.Fatalf("a backend was contacted for an unknown host")
		}
	})
	t.Run("TLS", func(t *testing.T) {
		tlsGet := func(sni, host string) (int, string, error) {
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: caPool, ServerName: sni}, ForceAttemptHTTP2: true}
			defer tr.CloseIdleConnections()
			req, _ := http.NewRequest("GET", d.url("https")+"/", nil)
			req.Host = host
			resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Do(req)
			if err != nil {
				return 0, "", err
			}
			defer resp.Body.Close()
			return resp.StatusCode, resp.Proto, nil
		}
		if code, proto, err := tlsGet("acme.example.test", "acme.example.test"); err != nil || code != 200 || proto != "HTTP/2.0" {
			t.Fatalf("TLS acme: %d %s %v", code, proto, err)
		}
		if code, _, err := tlsGet("acme.example.test", "beta.example.test"); err != nil || code != 421 {
			t.Fatalf("SNI acme, Host beta: %d %v, want 421", code, err)
		}
		if _, _, err := tlsGet("beta.example.test", "beta.example.test"); err == nil {
			t.Fatal("handshake for a name without a certificate succeeded")
		}
	})
	t.Run("suspend and resume", func(t *testing.T) {
		d.must("tenant", "suspend", "acme")
		d.applied()
		if code, _ := hostGet(t, c, base+"/", "acme.example.test"); code != 503 {
			t.Fatalf("suspended: %d", code)
		}
		d.must("tenant", "resume", "acme")
		d.applied()
		if code, _ := hostGet(t, c, base+"/", "acme.example.test"); code != 200 {
			t.Fatalf("resumed: %d", code)
		}
	})
	t.Run("removal", func(t *testing.T) {
		d.must("tenant", "set", "acme", "--name", "Acme Corporation")
		d.must("backend", "rm", "acme", a2.URL)
		var bs []api.Backend
		d.mustJSON(&bs, "backend", "list", "acme")
		if len(bs) != 1 {
			t.Fatalf("backend list after rm: %+v", bs)
		}
		if _, errOut, code := d.run("tenant", "rm", "acme"); code != 1 || !strings.Contains(errOut, "--force") {
			t.Fatalf("tenant rm with backends: exit %d %q", code, errOut)
		}
		d.must("tenant", "rm", "acme", "--force")
		d.must("domain", "add", "beta", "www.beta.test")
		d.must("domain", "rm", "www.beta.test")
		d.must("cert", "rm", "acme.example.test")
		d.applied()
		if code, _ := hostGet(t, c, base+"/", "acme.example.test"); code != 404 {
			t.Fatalf("removed tenant: %d", code)
		}
	})
	t.Run("status and audit", func(t *testing.T) {
		var s api.Status
		d.mustJSON(&s, "status")
		if s.Counts.Tenants != 1 || s.Counts.Backends != 1 || s.Counts.Certs != 0 || s.Revision == 0 || s.Version == "" {
			t.Fatalf("status: %+v", s)
		}
		var audit api.List[api.AuditEntry]
		d.mustJSON(&audit, "audit", "--limit", "100")
		all := ""
		for _, e := range audit.Items {
			all += strings.Join(e.Actions, "\n") + "\n"
			if !strings.Contains(e.Actor, "admin.sock") {
				t.Errorf("audit actor %q does not name the socket", e.Actor)
			}
		}
		for _, want := range []string{"tenant.create acme", "backend.add acme/default", "domain.add acme shop.customer.test",
			"cert.put acme.example.test", "tenant.delete acme", "settings.set base-domain=example.test"} {
			if !strings.Contains(all, want) {
				t.Errorf("audit lacks %q:\n%s", want, all)
			}
		}
		d.must("status")
		d.must("version")
	})
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
}

// importCert makes a CA-signed certificate for names, imports it with
// `foyer cert add`, and returns the CA pool that verifies it.
func importCert(t *testing.T, d *daemon, names ...string) *x509.CertPool {
	t.Helper()
	chain, key, ca, err := demoCertificate(names)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cf, []byte(chain), 0o600)
	os.WriteFile(kf, []byte(key), 0o600)
	d.must("cert", "add", names[0], "--cert", cf, "--key", kf)
	var certs []api.Cert
	d.mustJSON(&certs, "cert", "list")
	if len(certs) == 0 || certs[0].Name != names[0] {
		t.Fatalf("cert list: %+v", certs)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(ca))
	return pool
}

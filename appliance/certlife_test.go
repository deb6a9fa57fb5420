package appliance

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// issued returns the listed obtained certificate for name, if any.
func (b *acmeBox) issued(t *testing.T, name string) (api.Cert, []api.CertBudget, bool) {
	t.Helper()
	cs, budgets, err := b.app.issuedCerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Name == name {
			return c, budgets, true
		}
	}
	return api.Cert{}, budgets, false
}

// setTenant sets tenant acme's state.
func (b *acmeBox) setTenant(t *testing.T, state store.TenantState) {
	t.Helper()
	err := b.db.Update(context.Background(), "test", func(tx store.Tx) error {
		return tx.UpdateTenant(&store.Tenant{Slug: "acme", Name: "acme", State: state})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Ensure that an issued certificate follows its domain's life with no
// order beyond the first: listed with its source and renewal state and the
// weekly budget; evicted (handshakes refused, renewals stopped) while its
// tenant is suspended and served again from storage on resume; served from
// the store after a restart; evicted for good when the domain is removed.
func TestCertificateLifecycle(t *testing.T) {
	ca, box := verifyBox(t)
	const name = "life.customer.test"
	box.addDomain(t, name)
	ca.DNSSet(t, "/add-a", map[string]any{"host": name, "addresses": []string{"127.0.0.1"}})
	box.waitState(t, name, store.DomainActive)
	if _, _, err := box.get(name, ca.Roots); err != nil {
		t.Fatalf("GET https://%s/: %v", name, err)
	}
	orders := ca.CABytes() // from here on, nothing may reach the CA
	rec := httptest.NewRecorder()
	box.app.serveMetrics(rec, httptest.NewRequest("GET", "/metrics", nil))
	d := box.waitState(t, name, store.DomainActive)
	if want := fmt.Sprintf("foyer_certificate_expiry_timestamp_seconds{name=%q,source=\"issued\"} %d\n", name, d.NotAfter.Unix()); !strings.Contains(rec.Body.String(), want) {
		t.Errorf("/metrics lacks %q", want)
	}

	c, budgets, ok := box.issued(t, name)
	if !ok || c.Source != "acme" || !c.Cached || !strings.Contains(c.Renewal, "by the domain verifier") {
		t.Fatalf("listed %+v (found %v), want source acme, cached, renewed by the verifier", c, ok)
	}
	if len(budgets) == 0 || budgets[0].RegisteredDomain != "customer.test" || budgets[0].Issued < 1 || budgets[0].Limit != 50 {
		t.Fatalf("budgets %+v, want customer.test with at least one of 50", budgets)
	}

	box.setTenant(t, store.TenantSuspended)
	d = box.waitState(t, name, store.DomainSuspended)
	if !strings.Contains(d.Hint, "foyer tenant resume acme") {
		t.Errorf("suspended hint %q, want the resume command", d.Hint)
	}
	waitFor(t, "the suspended tenant's certificate to leave the cache", func() bool { return !box.app.certs.Cached(name) })
	if err := box.handshake(name); err == nil {
		t.Fatal("a handshake for a suspended tenant's domain succeeded")
	}
	if c, _, _ := box.issued(t, name); !strings.HasPrefix(c.Renewal, "paused: tenant acme is suspended") {
		t.Errorf("renewal while suspended: %q", c.Renewal)
	}

	box.setTenant(t, store.TenantActive)
	box.waitState(t, name, store.DomainActive)
	if body, _, err := box.get(name, ca.Roots); err != nil || body != "tenant acme" {
		t.Fatalf("after resume: %q, %v", body, err)
	}

	if err := box.stop(); err != nil {
		t.Fatal(err)
	}
	box.start(t)
	if body, _, err := box.get(name, ca.Roots); err != nil || body != "tenant acme" {
		t.Fatalf("after a restart: %q, %v", body, err)
	}

	err := box.db.Update(context.Background(), "test", func(tx store.Tx) error { return tx.RemoveDomain(name) })
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the removed domain's certificate to leave the cache", func() bool { return !box.app.certs.Cached(name) })
	if err := box.handshake(name); err == nil {
		t.Fatal("a handshake for a removed domain succeeded")
	}
	if c, _, _ := box.issued(t, name); !strings.HasPrefix(c.Renewal, "never: no tenant serves") {
		t.Errorf("renewal after removal: %q", c.Renewal)
	}
	if n := ca.CABytes() - orders; n != 0 {
		t.Fatalf("%d bytes reached the CA after the first order; suspend, resume, restart and removal need none", n)
	}
}

// waitFor polls cond until it holds (10 s at most).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Ensure that a verified domain an imported certificate covers is active
// with that certificate, and nothing is ordered for it.
func TestImportedCertificateServesVerifiedDomain(t *testing.T) {
	ca, box := verifyBox(t)
	const name = "imp.customer.test"
	pair := newTestCA(t).issue(t, name)
	if err := box.db.Update(context.Background(), "test", func(tx store.Tx) error {
		return tx.PutCert(&store.Certificate{Name: name, CertPEM: pair.cert, KeyPEM: pair.key})
	}); err != nil {
		t.Fatal(err)
	}
	before := ca.CABytes()
	box.addDomain(t, name)
	ca.DNSSet(t, "/add-a", map[string]any{"host": name, "addresses": []string{"127.0.0.1"}})
	d := box.waitState(t, name, store.DomainActive)
	if !strings.Contains(d.Reason, "served by the imported certificate "+name) || d.NotAfter.IsZero() {
		t.Fatalf("active domain: reason %q, expiry %s; want served by the imported certificate", d.Reason, d.NotAfter)
	}
	if n := ca.CABytes() - before; n != 0 {
		t.Fatalf("%d bytes reached the CA for a name an imported certificate serves", n)
	}
	if box.app.certs.Cached(name) {
		t.Fatal("an obtained certificate is cached beside the imported one")
	}
}

package storetest

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

func testSettings(t *testing.T, s store.Store) {
	// Ensure that a new store has the default settings and that a change is
	// kept, audited and read back.
	ctx := context.Background()
	var got store.Settings
	view := func() {
		t.Helper()
		err := s.View(ctx, func(tx store.Tx) (err error) { got, err = tx.Settings(); return err })
		if err != nil {
			t.Fatalf("read settings: %v", err)
		}
	}
	view()
	if want := store.DefaultSettings(); !reflect.DeepEqual(got, want) {
		t.Fatalf("new store settings = %+v, want defaults %+v", got, want)
	}
	update(t, s, func(tx store.Tx) error {
		st := store.DefaultSettings()
		st.BaseDomain = "saas.example.com"
		st.IdleTimeout = store.Duration(time.Minute)
		st.TrustedProxies = []string{"10.0.0.0/8"}
		return tx.SetSettings(st)
	})
	view()
	if got.BaseDomain != "saas.example.com" || got.IdleTimeout.D() != time.Minute || len(got.TrustedProxies) != 1 {
		t.Fatalf("settings after set = %+v", got)
	}
	log, err := s.AuditLog(ctx, 1, 0)
	if err != nil || len(log) != 1 || !strings.HasPrefix(log[0].Actions[0], "settings.set ") {
		t.Fatalf("audit after settings.set = %+v, %v", log, err)
	}
	// A secret setting is stored but never written to the audit trail.
	const mac = "c2VjcmV0LW1hYy1rZXktdmFsdWU"
	update(t, s, func(tx store.Tx) error {
		st := got
		st.ACMEEABMACKey = mac
		return tx.SetSettings(st)
	})
	view()
	log, err = s.AuditLog(ctx, 1, 0)
	if got.ACMEEABMACKey != mac || err != nil || len(log) != 1 || strings.Contains(log[0].Actions[0], mac) ||
		!strings.Contains(log[0].Actions[0], "acme-eab-mac-key=(set)") {
		t.Fatalf("after setting a secret: stored %q, audit %+v, %v", got.ACMEEABMACKey, log, err)
	}
}

func testTenants(t *testing.T, s store.Store) {
	// Ensure that tenants are created with defaults, listed by slug,
	// updated and deleted, and that a missing one is ErrNotFound.
	ctx := context.Background()
	createTenants(t, s, "zeta", "acme")
	update(t, s, func(tx store.Tx) error {
		return tx.CreateTenant(&store.Tenant{Slug: "blue-shop", Name: "Blue Shop", State: store.TenantSuspended})
	})
	a, err := s.Tenant(ctx, "acme")
	if err != nil {
		t.Fatalf("get acme: %v", err)
	}
	if a.ID == 0 || a.Name != "acme" || a.State != store.TenantActive || a.Created.IsZero() || !a.Created.Equal(a.Updated) {
		t.Fatalf("acme = %+v; want an ID, name = slug, active, times set", a)
	}
	all, err := s.ListTenants(ctx)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if got := slugs(all); !reflect.DeepEqual(got, []string{"acme", "blue-shop", "zeta"}) {
		t.Fatalf("list = %v, want sorted by slug", got)
	}
	if all[1].State != store.TenantSuspended || all[1].Name != "Blue Shop" {
		t.Fatalf("blue-shop = %+v", all[1])
	}
	update(t, s, func(tx store.Tx) error {
		return tx.UpdateTenant(&store.Tenant{Slug: "acme", Name: "Acme Inc.", State: store.TenantSuspended})
	})
	if a2, _ := s.Tenant(ctx, "acme"); a2.Name != "Acme Inc." || a2.State != store.TenantSuspended || a2.ID != a.ID || !a2.Created.Equal(a.Created) {
		t.Fatalf("acme after update = %+v", a2)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteTenant("zeta", false) })
	_, err = s.Tenant(ctx, "zeta")
	wantKind(t, err, store.ErrNotFound)
}

func slugs(ts []store.Tenant) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Slug
	}
	return out
}

func testBackends(t *testing.T, s store.Store) {
	// Ensure that backends get the default pool and weight, a canonical URL,
	// are listed by pool then ID, create their pool, and can be removed.
	ctx := context.Background()
	createTenants(t, s, "acme", "blue")
	update(t, s, func(tx store.Tx) error {
		for _, b := range []store.Backend{
			{Tenant: "acme", URL: "HTTP://App.Internal:8080/"},
			{Tenant: "acme", Pool: "api", URL: "https://10.0.0.2:8443/v1", Weight: 5},
			{Tenant: "acme", URL: "http://[::1]:9000"},
			{Tenant: "blue", URL: "http://10.0.0.9"},
		} {
			if err := tx.AddBackend(&b); err != nil {
				return err
			}
		}
		return nil
	})
	bs, err := s.ListBackends(ctx, "acme")
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var got []string
	for _, b := range bs {
		if b.ID == 0 || b.Created.IsZero() || b.Tenant != "acme" {
			t.Fatalf("backend %+v: want an ID, a creation time and tenant acme", b)
		}
		got = append(got, b.Pool+" "+b.URL+" "+strconv.Itoa(b.Weight))
	}
	want := []string{"api https://10.0.0.2:8443/v1 5", "default http://app.internal:8080 1", "default http://[::1]:9000 1"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("backends = %q, want %q", got, want)
	}
	var pools []store.Pool
	err = s.View(ctx, func(tx store.Tx) (err error) { pools, err = tx.Pools(""); return err })
	if err != nil || len(pools) != 3 || pools[0].Name != "api" || pools[0].Algorithm != store.RoundRobin {
		t.Fatalf("pools = %+v, %v; want acme/api, acme/default, blue/default", pools, err)
	}
	update(t, s, func(tx store.Tx) error { return tx.RemoveBackend("acme", "", "http://app.internal:8080/") })
	if bs, _ := s.ListBackends(ctx, "acme"); len(bs) != 2 {
		t.Fatalf("after remove: %d backends, want 2", len(bs))
	}
	_, err = s.ListBackends(ctx, "nobody")
	wantKind(t, err, store.ErrNotFound)
}

func testDomains(t *testing.T, s store.Store) {
	// Ensure that domains are stored normalised in pending_dns, read back by
	// any spelling, listed per tenant, moved through states and removed.
	ctx := context.Background()
	createTenants(t, s, "acme", "blue")
	update(t, s, func(tx store.Tx) error {
		for _, d := range []store.Domain{
			{Tenant: "acme", Name: "Shop.Acme.COM."},
			{Tenant: "acme", Name: "bücher.example"},
			{Tenant: "blue", Name: "blue.example.org"},
		} {
			if err := tx.AddDomain(&d); err != nil {
				return err
			}
		}
		return nil
	})
	d, err := s.Domain(ctx, "SHOP.acme.com")
	if err != nil || d.Name != "shop.acme.com" || d.Tenant != "acme" || d.State != store.DomainPendingDNS || d.Created.IsZero() {
		t.Fatalf("domain = %+v, %v", d, err)
	}
	if idn, err := s.Domain(ctx, "xn--bcher-kva.example"); err != nil {
		t.Fatalf("IDNA domain not stored as xn--: %v", err)
	} else if len(d.Token) < 16 || idn.Token == d.Token {
		t.Fatalf("ownership tokens %q and %q: want random and distinct", d.Token, idn.Token)
	}
	acme, err := s.ListDomains(ctx, "acme")
	if err != nil || len(acme) != 2 {
		t.Fatalf("acme domains = %+v, %v", acme, err)
	}
	if all, _ := s.ListDomains(ctx, ""); len(all) != 3 {
		t.Fatalf("all domains = %d, want 3", len(all))
	}
	update(t, s, func(tx store.Tx) error {
		return tx.UpdateDomain(&store.Domain{Name: "shop.acme.com", State: store.DomainFailed, Reason: "NXDOMAIN", Hint: "add a CNAME"})
	})
	if d, _ := s.Domain(ctx, "shop.acme.com"); d.State != store.DomainFailed || d.Reason != "NXDOMAIN" || d.Hint != "add a CNAME" {
		t.Fatalf("after update: %+v", d)
	}
	update(t, s, func(tx store.Tx) error { return tx.RemoveDomain("shop.acme.com") })
	_, err = s.Domain(ctx, "shop.acme.com")
	wantKind(t, err, store.ErrNotFound)
}

func testCerts(t *testing.T, s store.Store) {
	// Ensure that imported certificates (plain and wildcard) are parsed,
	// stored, listed by name and removed, and that expired, mismatched and
	// non-covering ones are refused.
	ctx := context.Background()
	plain := validFor(t, "shop.acme.com")
	wild := validFor(t, "*.acme.com", "acme.com")
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutCert(&store.Certificate{Name: "Shop.Acme.com", CertPEM: plain.cert, KeyPEM: plain.key}); err != nil {
			return err
		}
		return tx.PutCert(&store.Certificate{Name: "*.acme.com", CertPEM: wild.cert, KeyPEM: wild.key})
	})
	c, err := s.Cert(ctx, "shop.acme.com")
	if err != nil || c.Name != "shop.acme.com" || c.KeyPEM != plain.key || c.NotAfter.Before(time.Now()) || c.Issuer == "" {
		t.Fatalf("cert = %+v, %v", c.Name, err)
	}
	list, err := s.ListCerts(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "*.acme.com" || len(list[0].Names) != 2 {
		t.Fatalf("certs = %d, %v", len(list), err)
	}
	now := time.Now()
	expired := selfSigned(t, now.Add(-48*time.Hour), now.Add(-24*time.Hour), "old.acme.com")
	future := selfSigned(t, now.Add(24*time.Hour), now.Add(48*time.Hour), "new.acme.com")
	for _, tc := range []struct {
		name string
		cert store.Certificate
	}{
		{"expired", store.Certificate{Name: "old.acme.com", CertPEM: expired.cert, KeyPEM: expired.key}},
		{"not yet valid", store.Certificate{Name: "new.acme.com", CertPEM: future.cert, KeyPEM: future.key}},
		{"key does not match", store.Certificate{Name: "shop.acme.com", CertPEM: plain.cert, KeyPEM: wild.key}},
		{"name not covered", store.Certificate{Name: "other.example.com", CertPEM: plain.cert, KeyPEM: plain.key}},
		{"name the certificate does not list", store.Certificate{Name: "deep.shop.acme.com", CertPEM: wild.cert, KeyPEM: wild.key}},
		{"not PEM", store.Certificate{Name: "shop.acme.com", CertPEM: "hello", KeyPEM: plain.key}},
		{"no key", store.Certificate{Name: "shop.acme.com", CertPEM: plain.cert}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Update(ctx, actor, func(tx store.Tx) error { return tx.PutCert(&tc.cert) })
			wantKind(t, err, store.ErrInvalid)
		})
	}
	update(t, s, func(tx store.Tx) error { return tx.RemoveCert("*.acme.com") })
	_, err = s.Cert(ctx, "*.acme.com")
	wantKind(t, err, store.ErrNotFound)
}

func testAudit(t *testing.T, s store.Store) {
	// Ensure that every Update writes one audit entry with its actor and
	// every action in order, listed newest first, with limit and before.
	ctx := context.Background()
	err := s.Update(ctx, "alice", func(tx store.Tx) error {
		if err := tx.CreateTenant(&store.Tenant{Slug: "acme"}); err != nil {
			return err
		}
		return tx.AddBackend(&store.Backend{Tenant: "acme", URL: "http://10.0.0.1:80"})
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	for _, slug := range []string{"b", "c", "d"} {
		if err := s.Update(ctx, "bob", func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: slug}) }); err != nil {
			t.Fatalf("create %s: %v", slug, err)
		}
	}
	if err := s.Update(ctx, "", func(tx store.Tx) error { return nil }); err == nil {
		t.Fatalf("update with no actor: got no error")
	}
	all, err := s.AuditLog(ctx, 0, 0)
	if err != nil || len(all) != 4 {
		t.Fatalf("audit = %+v, %v; want 4 entries", all, err)
	}
	first := all[3]
	if first.Actor != "alice" || !reflect.DeepEqual(first.Actions, []string{"tenant.create acme", "backend.add acme/default http://10.0.0.1:80"}) || first.Time.IsZero() {
		t.Fatalf("first entry = %+v", first)
	}
	if all[0].Actor != "bob" || all[0].Actions[0] != "tenant.create d" || all[0].Seq <= all[1].Seq {
		t.Fatalf("newest entry = %+v, want bob's tenant.create d first", all[0])
	}
	two, err := s.AuditLog(ctx, 2, 0)
	if err != nil || len(two) != 2 || two[0].Seq != all[0].Seq || two[1].Seq != all[1].Seq {
		t.Fatalf("limit 2 = %+v, %v", two, err)
	}
	older, err := s.AuditLog(ctx, 2, all[1].Seq)
	if err != nil || len(older) != 2 || older[0].Seq != all[2].Seq || older[1].Seq != all[3].Seq {
		t.Fatalf("before %d = %+v, %v", all[1].Seq, older, err)
	}
}

func testDeleteTenant(t *testing.T, s store.Store) {
	// Ensure that DeleteTenant refuses with ErrConflict while the tenant has
	// backends or domains, and that force deletes them all and nothing else.
	ctx := context.Background()
	createTenants(t, s, "acme", "blue")
	update(t, s, func(tx store.Tx) error {
		for _, b := range []store.Backend{{Tenant: "acme", URL: "http://10.0.0.1"}, {Tenant: "acme", Pool: "api", URL: "http://10.0.0.2"}, {Tenant: "blue", URL: "http://10.0.0.3"}} {
			if err := tx.AddBackend(&b); err != nil {
				return err
			}
		}
		if err := tx.AddDomain(&store.Domain{Tenant: "acme", Name: "acme.com"}); err != nil {
			return err
		}
		return tx.AddDomain(&store.Domain{Tenant: "blue", Name: "blue.com"})
	})
	before := Fingerprint(t, s)
	err := s.Update(ctx, actor, func(tx store.Tx) error { return tx.DeleteTenant("acme", false) })
	wantKind(t, err, store.ErrConflict)
	if Fingerprint(t, s) != before {
		t.Fatalf("refused delete changed the store")
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteTenant("acme", true) })
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	if len(snap.Tenants) != 1 || len(snap.Backends) != 1 || len(snap.Pools) != 1 || len(snap.Domains) != 1 || snap.Domains[0].Name != "blue.com" {
		t.Fatalf("after force delete: %d tenants, %d pools, %d backends, %+v domains; want only blue's",
			len(snap.Tenants), len(snap.Pools), len(snap.Backends), snap.Domains)
	}
	createTenants(t, s, "acme")
	if bs, _ := s.ListBackends(ctx, "acme"); len(bs) != 0 {
		t.Fatalf("a recreated tenant inherited %d backends", len(bs))
	}
}

func testSnapshot(t *testing.T, s store.Store) {
	// Ensure that a Snapshot holds the whole configuration at the current
	// revision.
	ctx := context.Background()
	kp := validFor(t, "acme.com")
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateTenant(&store.Tenant{Slug: "acme"}); err != nil {
			return err
		}
		if err := tx.AddBackend(&store.Backend{Tenant: "acme", URL: "http://10.0.0.1"}); err != nil {
			return err
		}
		if err := tx.AddDomain(&store.Domain{Tenant: "acme", Name: "acme.com"}); err != nil {
			return err
		}
		return tx.PutCert(&store.Certificate{Name: "acme.com", CertPEM: kp.cert, KeyPEM: kp.key})
	})
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	if snap.Revision != s.Revision() || snap.Revision == 0 {
		t.Fatalf("snapshot revision %d, store revision %d", snap.Revision, s.Revision())
	}
	if len(snap.Tenants) != 1 || len(snap.Pools) != 1 || len(snap.Backends) != 1 || len(snap.Domains) != 1 || snap.CertCount != 1 || snap.CertsRevision == 0 {
		t.Fatalf("snapshot = %+v", snap)
	}
	if !reflect.DeepEqual(snap.Settings, store.DefaultSettings()) {
		t.Fatalf("snapshot settings = %+v", snap.Settings)
	}
	// The certificates' revision moves with certificate changes only, so
	// the appliance reloads them only then.
	certsRev := func() uint64 {
		t.Helper()
		snap, err := s.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return snap.CertsRevision
	}
	before := certsRev()
	update(t, s, func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: "other"}) })
	if got := certsRev(); got != before {
		t.Fatalf("certs revision moved from %d to %d on a tenant change", before, got)
	}
	update(t, s, func(tx store.Tx) error { return tx.RemoveCert("acme.com") })
	if got := certsRev(); got == before {
		t.Fatal("certs revision did not move when a certificate was removed")
	}
	if snap, err := s.Snapshot(ctx); err != nil || snap.CertCount != 0 {
		t.Fatalf("after removing the certificate: count %d (err %v), want 0", snap.CertCount, err)
	}
}

func testView(t *testing.T, s store.Store) {
	// Ensure that a write inside View is refused and kept out of the store.
	ctx := context.Background()
	before := Fingerprint(t, s)
	err := s.View(ctx, func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: "acme"}) })
	if err == nil {
		t.Fatalf("write in View: got no error")
	}
	if Fingerprint(t, s) != before || s.Revision() != 0 {
		t.Fatalf("write in View changed the store")
	}
	errBoom := errors.New("boom")
	if err := s.View(ctx, func(store.Tx) error { return errBoom }); !errors.Is(err, errBoom) {
		t.Fatalf("View returned %v, want fn's error", err)
	}
}

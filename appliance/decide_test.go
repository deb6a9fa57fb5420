package appliance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// gateTable builds a route table: base domain example.test, tenants a, b
// and c active, sleepy suspended; tenant a's custom domains in each state.
func gateTable(t *testing.T) *route.Table {
	t.Helper()
	ctx := context.Background()
	db, err := memstore.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(ctx, "test", func(tx store.Tx) error {
		s, _ := tx.Settings()
		s.BaseDomain = "example.test"
		errs := []error{tx.SetSettings(s), tx.CreateTenant(&store.Tenant{Slug: "sleepy", State: store.TenantSuspended}),
			tx.AddDomain(&store.Domain{Name: "off.sleepy.test", Tenant: "sleepy"}),
			tx.UpdateDomain(&store.Domain{Name: "off.sleepy.test", State: store.DomainActive})}
		for _, slug := range []string{"a", "b", "c"} {
			errs = append(errs, tx.CreateTenant(&store.Tenant{Slug: slug}))
		}
		for _, st := range store.DomainStates {
			name := string(st) + ".a.test"
			name = map[bool]string{true: "pending.a.test", false: name}[st == store.DomainPendingDNS]
			errs = append(errs, tx.AddDomain(&store.Domain{Name: name, Tenant: "a"}))
			if st != store.DomainPendingDNS {
				errs = append(errs, tx.UpdateDomain(&store.Domain{Name: name, State: st}))
			}
		}
		return errors.Join(errs...)
	})
	if err != nil {
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
	return tbl
}

// Ensure that the gate allows exactly active tenants' slug hosts and
// verified custom domains, and nothing while a wildcard covers the slugs.
func TestGateDecide(t *testing.T) {
	tbl := gateTable(t)
	var imported string // a name an imported certificate covers, or ""
	g := newGate(func() *route.Table { return tbl }, func(name string) bool { return name == imported })
	for name, want := range map[string]bool{
		"a.example.test": true, "B.Example.Test": true, "sleepy.example.test": false,
		"nobody.example.test": false, "example.test": false, "x.a.example.test": false, "other.test": false,
		"verified.a.test": true, "issuing.a.test": true, "active.a.test": true, "expiring.a.test": true,
		"pending.a.test": false, "failed.a.test": false, "moved.a.test": false, "suspended.a.test": false,
		"off.sleepy.test": false,
	} {
		g.tenants = map[uint64]*bucket{} // every case with a full budget
		err := g.Decide(name)
		if (err == nil) != want {
			t.Errorf("Decide(%q) = %v, want allowed=%v", name, err, want)
		}
		if err != nil && !errors.Is(err, ErrNotIssuable) {
			t.Errorf("Decide(%q) = %v, not ErrNotIssuable", name, err)
		}
	}
	imported = "c.example.test"
	if err := g.Decide("c.example.test"); err == nil {
		t.Error("a slug host was allowed while an imported certificate covers it")
	}
	if err := g.Eligible("c.example.test"); err == nil {
		t.Error("a stored certificate may load beside an imported one that covers its name")
	}
	if err := g.Decide("verified.a.test"); err != nil {
		t.Errorf("a custom domain was refused because of another name's certificate: %v", err)
	}
}

// Ensure that issuance attempts are limited per tenant and in all.
func TestGateRateLimits(t *testing.T) {
	tbl := gateTable(t)
	g := newGate(func() *route.Table { return tbl }, func(string) bool { return false })
	clock := time.Now()
	g.now = func() time.Time { return clock }
	for i := range IssueTenantPerMinute {
		if err := g.Decide("a.example.test"); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if err := g.Decide("a.example.test"); err == nil {
		t.Fatalf("attempt %d of one tenant in a minute was allowed", IssueTenantPerMinute+1)
	}
	allowed := IssueTenantPerMinute
	for i := 0; i < 10*IssueGlobalPerMinute; i++ {
		if g.Decide([]string{"b.example.test", "c.example.test", "verified.a.test"}[i%3]) == nil {
			allowed++
		}
	}
	if allowed > IssueGlobalPerMinute {
		t.Fatalf("%d attempts allowed in a minute, want at most %d", allowed, IssueGlobalPerMinute)
	}
	if g.Decide("nobody.example.test") == nil {
		t.Fatal("a refused name was allowed")
	}
	clock = clock.Add(time.Minute / IssueTenantPerMinute)
	if err := g.Decide("a.example.test"); err != nil {
		t.Fatalf("no attempt refilled after %s: %v", time.Minute/IssueTenantPerMinute, err)
	}
	if g.Decide("a.example.test") == nil {
		t.Fatal("two attempts refilled, want one")
	}
}

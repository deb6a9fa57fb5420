package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/store"
)

// testLookups checks the writes that find one tenant's or one label's
// records without decoding every record: slugs and aliases that share
// prefixes, and tenant names that spell another tenant's label.
func testLookups(t *testing.T, s store.Store) {
	// Ensure that alias and slug conflicts, per-tenant domain lists and
	// id-path conflicts find exactly the records that name the label or
	// tenant, not those whose slug, alias or name merely contains it.
	ctx := context.Background()
	createTenants(t, s, "ac", "acme", "acme-2")
	update(t, s, func(tx store.Tx) error {
		// A name spelling a label: the record mentions it but does not claim it.
		return tx.CreateTenant(&store.Tenant{Slug: "named", Name: `"www-acme"`})
	})
	update(t, s, func(tx store.Tx) error { return tx.AddTenantAlias("acme", "www-acme") })
	for _, c := range []struct{ label, owner string }{{"www-acme", "acme"}, {"acme", "acme"}, {"ac", "ac"}} {
		err := s.Update(ctx, actor, func(tx store.Tx) error { return tx.AddTenantAlias("acme-2", c.label) })
		wantKind(t, err, store.ErrConflict)
		if !strings.Contains(err.Error(), c.owner) {
			t.Errorf("alias %s: %v, want a conflict naming %s", c.label, err, c.owner)
		}
		err = s.Update(ctx, actor, func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: c.label}) })
		if c.label == c.owner {
			wantKind(t, err, store.ErrExists)
		} else {
			wantKind(t, err, store.ErrConflict)
		}
	}
	for _, free := range []string{"www-ac", "www", "acme-3", "named-2"} {
		update(t, s, func(tx store.Tx) error { return tx.AddTenantAlias("acme-2", free) })
	}
	// Domains are listed per tenant by their tenant field alone.
	update(t, s, func(tx store.Tx) error {
		for _, d := range []store.Domain{{Tenant: "ac", Name: "ac.example"}, {Tenant: "acme", Name: "acme.example"},
			{Tenant: "acme-2", Name: "ac-2.example"}, {Tenant: "named", Name: "acme.example.org"}} {
			if err := tx.AddDomain(&d); err != nil {
				return err
			}
		}
		return nil
	})
	for tenant, want := range map[string]string{"ac": "ac.example", "acme": "acme.example", "acme-2": "ac-2.example",
		"named": "acme.example.org", "nobody": ""} {
		ds, err := s.ListDomains(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, d := range ds {
			names = append(names, d.Name)
		}
		if got := strings.Join(names, ","); got != want {
			t.Errorf("domains of %s: %q, want %q", tenant, got, want)
		}
	}
	// A tenant without an id-path never conflicts; one that overlaps does.
	update(t, s, func(tx store.Tx) error { return tx.SetTenantPolicy("ac", store.Policy{"id-path": "/t/ac"}) })
	update(t, s, func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: "plain"}) })
	err := s.Update(ctx, actor, func(tx store.Tx) error {
		return tx.CreateTenant(&store.Tenant{Slug: "deep", Policy: store.Policy{"id-path": "/t/ac/x"}})
	})
	wantKind(t, err, store.ErrConflict)
	// Deleting a tenant deletes its domains and no other's.
	update(t, s, func(tx store.Tx) error { return tx.DeleteTenant("ac", true) })
	all, err := s.ListDomains(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Errorf("%d domains after deleting ac, want 3: %+v", len(all), all)
	}
}

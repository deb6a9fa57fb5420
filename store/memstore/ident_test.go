package memstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

func identDB(t *testing.T, slugs ...string) *store.DB {
	t.Helper()
	db, err := memstore.Open(context.Background(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	for _, s := range slugs {
		if err := db.Update(context.Background(), "test", func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: s}) }); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func upd(db *store.DB, fn func(store.Tx) error) error {
	return db.Update(context.Background(), "test", fn)
}

func TestAliasesUnique(t *testing.T) {
	// Ensure that an alias shares one namespace with slugs and other aliases, and conflicts name the owner.
	db := identDB(t, "acme", "blue")
	if err := upd(db, func(tx store.Tx) error { return tx.AddTenantAlias("acme", "www-acme") }); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ slug, alias, owner string }{{"blue", "www-acme", "acme"}, {"blue", "acme", "acme"}, {"acme", "blue", "blue"}} {
		err := upd(db, func(tx store.Tx) error { return tx.AddTenantAlias(c.slug, c.alias) })
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), c.owner) {
			t.Errorf("alias %s for %s: %v, want a conflict naming %s", c.alias, c.slug, err, c.owner)
		}
	}
	err := upd(db, func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: "www-acme"}) })
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("tenant named like an alias: %v, want ErrConflict", err)
	}
	if err := upd(db, func(tx store.Tx) error { return tx.AddTenantAlias("acme", "Bad_Alias") }); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad alias: %v", err)
	}
	if err := upd(db, func(tx store.Tx) error { return tx.RemoveTenantAlias("acme", "www-acme") }); err != nil {
		t.Fatal(err)
	}
	tn, _ := db.Tenant(context.Background(), "acme")
	if len(tn.Aliases) != 0 {
		t.Fatalf("aliases after rm = %v", tn.Aliases)
	}
}

func TestIDPathConflictRefused(t *testing.T) {
	// Ensure that two tenants on overlapping id-paths are refused at write time and the store is unchanged.
	db := identDB(t, "acme", "blue", "red")
	if err := upd(db, func(tx store.Tx) error { return tx.SetTenantPolicy("acme", store.Policy{"id-path": "/t/acme"}) }); err != nil {
		t.Fatal(err)
	}
	rev := db.Revision()
	for _, p := range []string{"/t/acme", "/t", "/t/acme/x"} {
		err := upd(db, func(tx store.Tx) error { return tx.SetTenantPolicy("blue", store.Policy{"id-path": p}) })
		if !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "acme") {
			t.Errorf("id-path %s: %v, want a conflict naming acme", p, err)
		}
	}
	// A plan with an id-path shared by two tenants is refused too.
	if err := upd(db, func(tx store.Tx) error { return tx.PutPlan(&store.Plan{Name: "p"}) }); err != nil {
		t.Fatal(err)
	}
	rev = db.Revision()
	err := upd(db, func(tx store.Tx) error {
		if err := tx.SetTenantPlan("blue", "p"); err != nil {
			return err
		}
		if err := tx.SetTenantPlan("red", "p"); err != nil {
			return err
		}
		return tx.PutPlan(&store.Plan{Name: "p", Policy: store.Policy{"id-path": "/shared"}})
	})
	if !errors.Is(err, store.ErrConflict) || db.Revision() != rev {
		t.Fatalf("plan id-path for two tenants: %v (revision %d -> %d)", err, rev, db.Revision())
	}
	if err := upd(db, func(tx store.Tx) error { return tx.SetTenantPolicy("blue", store.Policy{"id-path": "/t/acmex"}) }); err != nil {
		t.Fatalf("a distinct prefix: %v", err)
	}
	if err := upd(db, func(tx store.Tx) error { return tx.SetTenantPolicy("red", store.Policy{"id-path": "t/x"}) }); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("relative id-path: %v", err)
	}
}

func TestJWTKeyRecord(t *testing.T) {
	// Ensure that JWT key material is validated, stored per tenant, kept out of the audit line and removed with the tenant.
	db := identDB(t, "acme")
	if err := upd(db, func(tx store.Tx) error {
		return tx.SetJWTKey(&store.JWTKey{Tenant: "acme", Kind: store.JWTKeySecret, Data: []byte("short")})
	}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("short secret: %v", err)
	}
	secret := []byte("0123456789abcdef0123456789abcdef-secret")
	if err := upd(db, func(tx store.Tx) error {
		return tx.SetJWTKey(&store.JWTKey{Tenant: "acme", Kind: store.JWTKeySecret, Data: secret})
	}); err != nil {
		t.Fatal(err)
	}
	snap, err := db.Snapshot(context.Background())
	if err != nil || len(snap.JWTKeys) != 1 || string(snap.JWTKeys[0].Data) != string(secret) {
		t.Fatalf("snapshot JWTKeys = %+v, %v", snap.JWTKeys, err)
	}
	if err := upd(db, func(tx store.Tx) error { return tx.DeleteTenant("acme", true) }); err != nil {
		t.Fatal(err)
	}
	if snap, _ = db.Snapshot(context.Background()); len(snap.JWTKeys) != 0 {
		t.Fatalf("jwt key outlived its tenant")
	}
}

package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

func TestSnapshotCache(t *testing.T) {
	// Ensure that snapshots taken between changes (which reuse the records
	// the last one decoded) hold exactly what the store holds: changed
	// records anew, deleted ones gone, added ones present.
	ctx := context.Background()
	db, err := memstore.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	step := func(name string, fn func(tx store.Tx) error) {
		t.Helper()
		if fn != nil {
			if err := db.Update(ctx, "test", fn); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		snap, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatalf("%s: snapshot: %v", name, err)
		}
		var want store.Snapshot
		err = db.View(ctx, func(tx store.Tx) (err error) {
			if want.Tenants, err = tx.Tenants(); err != nil {
				return err
			}
			if want.Pools, err = tx.Pools(""); err != nil {
				return err
			}
			if want.Backends, err = tx.Backends(""); err != nil {
				return err
			}
			want.Domains, err = tx.Domains("")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(snap.Tenants, want.Tenants) || !reflect.DeepEqual(snap.Pools, want.Pools) ||
			!reflect.DeepEqual(snap.Backends, want.Backends) || !reflect.DeepEqual(snap.Domains, want.Domains) {
			t.Fatalf("%s: snapshot\n%+v\nstore\n%+v", name, snap, want)
		}
	}
	step("empty", nil)
	step("add", func(tx store.Tx) error {
		for _, s := range []string{"a", "b", "c"} {
			if err := tx.CreateTenant(&store.Tenant{Slug: s}); err != nil {
				return err
			}
			if err := tx.AddBackend(&store.Backend{Tenant: s, URL: "http://127.0.0.1:8001"}); err != nil {
				return err
			}
		}
		return tx.AddDomain(&store.Domain{Name: "www.a.example", Tenant: "a"})
	})
	step("unchanged", nil)
	step("rename", func(tx store.Tx) error {
		return tx.UpdateTenant(&store.Tenant{Slug: "b", Name: "Bee", State: store.TenantSuspended})
	})
	step("remove", func(tx store.Tx) error {
		if err := tx.RemoveBackend("c", store.DefaultPool, "http://127.0.0.1:8001"); err != nil {
			return err
		}
		return tx.DeleteTenant("a", true)
	})
	step("re-add", func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: "a", Name: "again"}) })
}

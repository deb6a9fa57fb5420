package boltstore_test

import (
	"context"
	"testing"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// Ensure that snapshots taken between changes, which walk bbolt's keys as
// bytes and reuse the records the last one decoded, show a changed record
// anew, drop a deleted one and add a new one.
func TestSnapshotBetweenChanges(t *testing.T) {
	s := mustOpen(t, t.TempDir(), boltstore.Options{})
	ctx := context.Background()
	upd := func(fn func(tx store.Tx) error) {
		t.Helper()
		if err := s.Update(ctx, "test", fn); err != nil {
			t.Fatal(err)
		}
	}
	names := func() map[string]string {
		t.Helper()
		snap, err := s.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, tn := range snap.Tenants {
			out[tn.Slug] = tn.Name
		}
		return out
	}
	for _, slug := range []string{"acme", "blue", "red"} {
		upd(func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: slug}) })
	}
	if got := names(); len(got) != 3 || got["blue"] != "blue" {
		t.Fatalf("first snapshot: %v", got)
	}
	upd(func(tx store.Tx) error {
		tn, err := tx.Tenant("blue")
		if err != nil {
			return err
		}
		tn.Name = "Blue Ltd"
		return tx.UpdateTenant(&tn)
	})
	upd(func(tx store.Tx) error { return tx.DeleteTenant("red", false) })
	upd(func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: "green"}) })
	got := names()
	if len(got) != 3 || got["blue"] != "Blue Ltd" || got["acme"] != "acme" || got["green"] != "green" {
		t.Fatalf("after rename, delete and create: %v", got)
	}
	if _, ok := got["red"]; ok {
		t.Fatal("a deleted tenant is still in the snapshot")
	}
}

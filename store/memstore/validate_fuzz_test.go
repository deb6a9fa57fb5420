package memstore_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// fuzzOps are the writes FuzzTxValidation drives, each with two fuzzed
// strings, in a tenant "acme" that has a backend and a domain.
var fuzzOps = []struct {
	name string
	do   func(tx store.Tx, a, b string) error
}{
	{"create-tenant", func(tx store.Tx, a, b string) error { return tx.CreateTenant(&store.Tenant{Slug: a, Name: b}) }},
	{"update-tenant", func(tx store.Tx, a, b string) error {
		return tx.UpdateTenant(&store.Tenant{Slug: "acme", Name: a, State: store.TenantState(b)})
	}},
	{"add-backend", func(tx store.Tx, a, b string) error {
		return tx.AddBackend(&store.Backend{Tenant: "acme", Pool: a, URL: b})
	}},
	{"add-backend-tenant", func(tx store.Tx, a, b string) error { return tx.AddBackend(&store.Backend{Tenant: a, URL: b}) }},
	{"remove-backend", func(tx store.Tx, a, b string) error { return tx.RemoveBackend("acme", a, b) }},
	{"add-domain", func(tx store.Tx, a, b string) error { return tx.AddDomain(&store.Domain{Name: a, Tenant: "acme"}) }},
	{"add-domain-tenant", func(tx store.Tx, a, b string) error { return tx.AddDomain(&store.Domain{Name: a, Tenant: b}) }},
	{"remove-domain", func(tx store.Tx, a, b string) error { return tx.RemoveDomain(a) }},
	{"delete-tenant", func(tx store.Tx, a, b string) error { return tx.DeleteTenant(a, b == "force") }},
}

// FuzzTxValidation drives tenant, backend and domain writes with arbitrary
// input through a memstore transaction that has already made one good
// write. A refused input must come back as a *store.Error and leave the
// store as it was (revision and snapshot equal): the whole transaction
// rolls back. An accepted one moves the revision by exactly one.
func FuzzTxValidation(f *testing.F) {
	for i := range fuzzOps {
		for _, ab := range [][2]string{
			{"", ""}, {"acme", "Acme"}, {"new", "New Co"}, {"default", "http://127.0.0.1:9001"},
			{"default", "http://127.0.0.1:9000"}, {"blue", "https://[::1]:8443/base"}, {"p", "ftp://x"},
			{"shop.example.com", "acme"}, {"SHOP.Example.COM.", "acme"}, {"app.example.com", "force"},
			{"bücher.example", "acme"}, {"-bad", "x"}, {"a..b", "http://a..b"}, {"acme", "force"},
			{"ACME", "disabled"}, {"x", "active"}, {"\x00", "http://127.0.0.1:0"}, {strings.Repeat("a", 64), ""},
			{"default", "http://user:pw@127.0.0.1:1"}, {"default", "http://127.0.0.1:9000/?q#f"},
		} {
			f.Add(uint8(i), ab[0], ab[1])
		}
	}
	f.Fuzz(func(t *testing.T, op uint8, a, b string) {
		if int(op) >= len(fuzzOps) {
			return
		}
		o := fuzzOps[op]
		ctx := t.Context()
		db, err := memstore.Open(ctx, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		seed := func(tx store.Tx) error {
			if err := tx.CreateTenant(&store.Tenant{Slug: "acme"}); err != nil {
				return err
			}
			if err := tx.AddBackend(&store.Backend{Tenant: "acme", URL: "http://127.0.0.1:9000"}); err != nil {
				return err
			}
			return tx.AddDomain(&store.Domain{Name: "app.example.com", Tenant: "acme"})
		}
		if err := db.Update(ctx, "fuzz", seed); err != nil {
			t.Fatal(err)
		}
		rev0 := db.Revision()
		snap0, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(ctx, "fuzz", func(tx store.Tx) error {
			if err := tx.CreateTenant(&store.Tenant{Slug: "zz-earlier-write"}); err != nil {
				return err
			}
			return o.do(tx, a, b)
		})
		if err == nil {
			if got := db.Revision(); got != rev0+1 {
				t.Fatalf("%s(%q, %q) accepted: revision %d, want %d", o.name, a, b, got, rev0+1)
			}
			return
		}
		var se *store.Error
		if !errors.As(err, &se) {
			t.Fatalf("%s(%q, %q): error %T %v, want a *store.Error", o.name, a, b, err, err)
		}
		if got := db.Revision(); got != rev0 {
			t.Fatalf("%s(%q, %q) refused (%v), but revision moved %d -> %d", o.name, a, b, err, rev0, got)
		}
		snap1, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(snap0, snap1) {
			t.Fatalf("%s(%q, %q) refused, but the snapshot changed:\nbefore %+v\nafter  %+v", o.name, a, b, snap0, snap1)
		}
	})
}

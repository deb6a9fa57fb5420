package boltstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// seedTenants writes n tenants (every tenth with an alias, every
// hundredth with a custom domain) straight through the KV layer, in the
// store's record layout: creating them one by one through Tx would cost
// more than the benchmark.
func seedTenants(b *testing.B, st *boltstore.Store, n int) {
	b.Helper()
	now := time.Now().UTC()
	err := st.KV().Update(context.Background(), func(k store.KVTx) error {
		put := func(bucket, key string, v any) error {
			buf, err := json.Marshal(v)
			if err != nil {
				return err
			}
			return k.Put(bucket, key, buf)
		}
		for i := range n {
			s := fmt.Sprintf("t%d", i)
			tn := store.Tenant{ID: uint64(1_000_000 + i), Slug: s, Name: s, State: store.TenantActive, Created: now, Updated: now}
			if i%10 == 0 {
				tn.Aliases = []string{fmt.Sprintf("alias%d", i)}
			}
			if err := put(store.BucketTenants, s, tn); err != nil {
				return err
			}
			if i%100 == 0 {
				d := store.Domain{Name: fmt.Sprintf("www.t%d.example", i), Tenant: s, State: store.DomainActive, Created: now}
				if err := put(store.BucketDomains, d.Name, d); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTenantWrites is one configuration change of each kind make
// scale times (create a tenant, add an alias, delete the tenant) in a
// store of 10,000 tenants: per op, three transactions.
func BenchmarkTenantWrites(b *testing.B) {
	st, err := boltstore.Open(b.TempDir(), boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	seedTenants(b, st, 10_000)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		slug := fmt.Sprintf("new%d", i)
		i++
		for _, fn := range []func(store.Tx) error{
			func(tx store.Tx) error { return tx.CreateTenant(&store.Tenant{Slug: slug}) },
			func(tx store.Tx) error { return tx.AddTenantAlias(slug, "a"+slug) },
			func(tx store.Tx) error { return tx.DeleteTenant(slug, true) },
		} {
			if err := st.Update(ctx, "bench", fn); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSnapshot is the store's side of a rebuild after a change in a
// store of 10,000 tenants: a Snapshot whose records are all in the cache
// but one.
func BenchmarkSnapshot(b *testing.B) {
	st, err := boltstore.Open(b.TempDir(), boltstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	seedTenants(b, st, 10_000)
	ctx := context.Background()
	if _, err := st.Snapshot(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		if err := st.Update(ctx, "bench", func(tx store.Tx) error {
			tn, err := tx.Tenant("t5")
			if err != nil {
				return err
			}
			tn.Name = fmt.Sprintf("renamed %d", i)
			return tx.UpdateTenant(&tn)
		}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := st.Snapshot(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

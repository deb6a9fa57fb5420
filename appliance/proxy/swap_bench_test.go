package proxy

import (
	"fmt"
	"testing"

	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
)

// BenchmarkSwap times putting a rebuilt table of 10,000 tenants (one
// backend each) in service, which every configuration change pays after
// route.Build.
func BenchmarkSwap(b *testing.B) {
	s := &store.Snapshot{Revision: 1, Settings: store.DefaultSettings()}
	s.Settings.BaseDomain = "saas.example"
	for i := range 10000 {
		slug := fmt.Sprintf("t%d", i)
		id := uint64(3*i + 1)
		s.Tenants = append(s.Tenants, store.Tenant{ID: id, Slug: slug, State: store.TenantActive})
		s.Pools = append(s.Pools, store.Pool{ID: id + 1, Tenant: slug, Name: store.DefaultPool, Algorithm: store.RoundRobin})
		s.Backends = append(s.Backends, store.Backend{ID: id + 2, Tenant: slug, Pool: store.DefaultPool,
			URL: fmt.Sprintf("http://127.0.0.1:%d", 8000+i%2), Weight: 1})
	}
	h := New(Options{})
	defer h.Close()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		t, err := route.Build(s)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		h.Swap(t, s.Settings)
	}
}

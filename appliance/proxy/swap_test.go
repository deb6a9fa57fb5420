package proxy

import (
	"testing"

	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
)

func TestSwapReusesUnchangedPools(t *testing.T) {
	// Ensure that Swap keeps the compiled form of a pool whose settings and
	// backends did not change, and compiles anew one whose backend URL,
	// weight or settings did.
	snap := func(urlB string, weightB int, algB store.Algorithm) *store.Snapshot {
		s := &store.Snapshot{Revision: 1, Settings: store.DefaultSettings()}
		s.Settings.BaseDomain = "saas.example"
		s.Tenants = []store.Tenant{{ID: 1, Slug: "a", State: store.TenantActive}, {ID: 2, Slug: "b", State: store.TenantActive}}
		s.Pools = []store.Pool{{ID: 10, Tenant: "a", Name: store.DefaultPool, Algorithm: store.RoundRobin},
			{ID: 20, Tenant: "b", Name: store.DefaultPool, Algorithm: algB}}
		s.Backends = []store.Backend{{ID: 11, Tenant: "a", Pool: store.DefaultPool, URL: "http://127.0.0.1:8001", Weight: 1},
			{ID: 21, Tenant: "b", Pool: store.DefaultPool, URL: urlB, Weight: weightB}}
		return s
	}
	h := New(Options{})
	defer h.Close()
	swap := func(s *store.Snapshot) (a, b *pool) {
		t.Helper()
		tbl, err := route.Build(s)
		if err != nil {
			t.Fatal(err)
		}
		h.Swap(tbl, s.Settings)
		rs := h.cur.Load()
		return rs.pools[10], rs.pools[20]
	}
	a0, b0 := swap(snap("http://127.0.0.1:8002", 1, store.RoundRobin))
	a1, b1 := swap(snap("http://127.0.0.1:8002", 1, store.RoundRobin))
	if a1 != a0 || b1 != b0 {
		t.Fatal("an unchanged rebuild compiled its pools again")
	}
	for _, c := range []struct {
		name string
		s    *store.Snapshot
	}{ // in order: each changes one thing of the one before
		{"url", snap("http://127.0.0.1:8003", 1, store.RoundRobin)},
		{"weight", snap("http://127.0.0.1:8003", 5, store.RoundRobin)},
		{"algorithm", snap("http://127.0.0.1:8003", 5, store.First)},
	} {
		name, s := c.name, c.s
		_, prev := h.cur.Load().pools[10], h.cur.Load().pools[20]
		a, b := swap(s)
		if a != a0 {
			t.Errorf("%s: tenant a's unchanged pool was compiled again", name)
		}
		if b == prev {
			t.Errorf("%s: tenant b's changed pool was kept", name)
		}
		if got := b.ups[0].URL.String(); got != s.Backends[1].URL || b.ups[0].Weight != s.Backends[1].Weight {
			t.Errorf("%s: tenant b's pool has %s weight %d", name, got, b.ups[0].Weight)
		}
	}
}

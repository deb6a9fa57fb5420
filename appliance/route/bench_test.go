package route

import (
	"fmt"
	"testing"

	"github.com/foyerhq/foyer/store"
)

// bigSnapshot has n tenants t0..t(n-1), each with one backend and one
// custom domain www.t<i>.example.
func bigSnapshot(n int) *store.Snapshot {
	s := &store.Snapshot{Revision: 1, Settings: store.Settings{BaseDomain: "saas.example"}}
	for i := range n {
		slug := fmt.Sprintf("t%d", i)
		id := uint64(3*i + 1)
		s.Tenants = append(s.Tenants, store.Tenant{ID: id, Slug: slug, State: store.TenantActive})
		s.Pools = append(s.Pools, store.Pool{ID: id + 1, Tenant: slug, Name: store.DefaultPool, Algorithm: store.RoundRobin})
		s.Backends = append(s.Backends, store.Backend{ID: id + 2, Tenant: slug, Pool: store.DefaultPool,
			URL: fmt.Sprintf("http://10.0.%d.%d:8080", i/256%256, i%256), Weight: 1})
		s.Domains = append(s.Domains, store.Domain{Name: "www." + slug + ".example", Tenant: slug, State: store.DomainActive})
	}
	return s
}

// BenchmarkIdentify times Identify at 100, 10,000 and 100,000 tenants
// (bench/scale reports it): slug is a wildcard subdomain
// <slug>.<base_domain>, domain an exact custom domain, domain-mixed a
// custom domain that must be normalised first, miss an unknown host. The
// time per lookup should stay flat as tenants grow, with 0 allocs.
func BenchmarkIdentify(b *testing.B) {
	for _, n := range []int{100, 10000, 100000} {
		tab := mustBuild(b, bigSnapshot(n))
		last := n - 1
		hosts := map[string]string{
			"slug":         fmt.Sprintf("t%d.saas.example", last),
			"domain":       fmt.Sprintf("www.t%d.example", last),
			"domain-mixed": fmt.Sprintf("WWW.T%d.Example.:443", last),
			"miss":         "nobody.example.org",
		}
		for _, kind := range []string{"slug", "domain", "domain-mixed", "miss"} {
			host := hosts[kind]
			b.Run(fmt.Sprintf("tenants=%d/%s", n, kind), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, ok := tab.Identify(host, "/", noHeader); ok == (kind == "miss") {
						b.Fatalf("Identify(%q) ok = %v", host, ok)
					}
				}
			})
		}
	}
}

// BenchmarkBuild times a whole rebuild of the table at 10,000 tenants,
// which every configuration change pays.
func BenchmarkBuild(b *testing.B) {
	s := bigSnapshot(10000)
	b.ReportAllocs()
	for b.Loop() {
		mustBuild(b, s)
	}
}

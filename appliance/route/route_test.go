package route

import (
	"fmt"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/store"
)

// snapshot is a small configuration: two active tenants and a suspended
// one under base domain saas.example, with custom domains in several states.
func snapshot() *store.Snapshot {
	return &store.Snapshot{
		Revision: 7,
		Settings: store.Settings{BaseDomain: "saas.example"},
		Tenants: []store.Tenant{
			{ID: 1, Slug: "acme", State: store.TenantActive},
			{ID: 2, Slug: "blue-shop", State: store.TenantActive},
			{ID: 3, Slug: "gone", State: store.TenantSuspended},
		},
		Pools: []store.Pool{
			{ID: 10, Tenant: "acme", Name: "default", Algorithm: store.RoundRobin},
			{ID: 11, Tenant: "acme", Name: "api", Algorithm: store.RoundRobin},
		},
		Backends: []store.Backend{
			{ID: 21, Tenant: "acme", Pool: "default", URL: "http://127.0.0.1:8002", Weight: 2},
			{ID: 20, Tenant: "acme", Pool: "default", URL: "http://127.0.0.1:8001", Weight: 1},
			{ID: 22, Tenant: "acme", Pool: "api", URL: "https://api.internal:8443/v1", Weight: 1},
		},
		Domains: []store.Domain{
			{Name: "shop.acme.com", Tenant: "acme", State: store.DomainActive},
			{Name: "new.acme.com", Tenant: "acme", State: store.DomainPendingDNS},
			{Name: "xn--bcher-kva.example", Tenant: "blue-shop", State: store.DomainVerified},
			{Name: "off.blue.com", Tenant: "blue-shop", State: store.DomainSuspended},
			{Name: "gone.com", Tenant: "gone", State: store.DomainActive},
		},
	}
}

func mustBuild(t testing.TB, s *store.Snapshot) *Table {
	t.Helper()
	tab, err := Build(s)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return tab
}

func noHeader(string) string { return "" }

func TestIdentify(t *testing.T) {
	// Ensure that Identify names the right tenant by the right rule for every kind of host.
	tab := mustBuild(t, snapshot())
	noBase := snapshot()
	noBase.Settings.BaseDomain = ""
	tabNoBase := mustBuild(t, noBase)
	tests := []struct {
		name   string
		tab    *Table
		host   string
		tenant string // "" for no match
		rule   Rule
		match  string
	}{
		{"exact domain", tab, "shop.acme.com", "acme", RuleHost, "shop.acme.com"},
		{"domain still pending dns", tab, "new.acme.com", "acme", RuleHost, "new.acme.com"},
		{"slug", tab, "blue-shop.saas.example", "blue-shop", RuleSlug, "blue-shop.saas.example"},
		{"uppercase host", tab, "Shop.ACME.com", "acme", RuleHost, "shop.acme.com"},
		{"uppercase slug host", tab, "ACME.Saas.Example", "acme", RuleSlug, "acme.saas.example"},
		{"port", tab, "shop.acme.com:8443", "acme", RuleHost, "shop.acme.com"},
		{"trailing dot", tab, "acme.saas.example.", "acme", RuleSlug, "acme.saas.example"},
		{"everything at once", tab, "Acme.Saas.EXAMPLE.:8443", "acme", RuleSlug, "acme.saas.example"},
		{"unicode domain stored as punycode", tab, "BÜCHER.example", "blue-shop", RuleHost, "xn--bcher-kva.example"},
		{"punycode host", tab, "xn--bcher-kva.example:443", "blue-shop", RuleHost, "xn--bcher-kva.example"},
		{"unknown host", tab, "nobody.example.org", "", RuleNone, ""},
		{"unknown slug", tab, "nobody.saas.example", "", RuleNone, ""},
		{"base domain itself", tab, "saas.example", "", RuleNone, ""},
		{"two labels below base", tab, "www.acme.saas.example", "", RuleNone, ""},
		{"suffix without dot", tab, "acmesaas.example", "", RuleNone, ""},
		{"empty label below base", tab, ".saas.example", "", RuleNone, ""},
		{"base domain empty: slug routing off", tabNoBase, "acme.saas.example", "", RuleNone, ""},
		{"base domain empty: domains still route", tabNoBase, "shop.acme.com", "acme", RuleHost, "shop.acme.com"},
		{"suspended tenant by slug", tab, "gone.saas.example", "gone", RuleSlug, "gone.saas.example"},
		{"suspended tenant by domain", tab, "gone.com", "gone", RuleHost, "gone.com"},
		{"domain of a suspended tenant", tab, "off.blue.com", "blue-shop", RuleHost, "off.blue.com"},
		{"empty host", tab, "", "", RuleNone, ""},
		{"invalid host", tab, "shop_acme.com", "", RuleNone, ""},
		{"ip literal", tab, "[::1]:80", "", RuleNone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := tt.tab.Identify(tt.host, "/", noHeader)
			if ok != (tt.tenant != "") {
				t.Fatalf("Identify(%q) ok = %v, want %v (match %+v)", tt.host, ok, !ok, m)
			}
			if !ok {
				if m != (Match{}) {
					t.Fatalf("Identify(%q) = %+v on a miss, want the zero Match", tt.host, m)
				}
				return
			}
			if m.Tenant.Slug != tt.tenant || m.Rule != tt.rule || m.Name != tt.match {
				t.Fatalf("Identify(%q) = {%s %s %s}, want {%s %s %s}",
					tt.host, m.Tenant.Slug, m.Rule, m.Name, tt.tenant, tt.rule, tt.match)
			}
		})
	}
}

func TestIdentifyAllocs(t *testing.T) {
	// Ensure that Identify allocates nothing for an ASCII host, on a hit or a miss.
	tab := mustBuild(t, snapshot())
	for _, host := range []string{
		"shop.acme.com", "Acme.Saas.EXAMPLE.:8443", "SHOP.acme.com:443",
		"nobody.example.org:80", "www.acme.saas.example", "[2001:DB8::1]:443",
	} {
		if n := testing.AllocsPerRun(100, func() { tab.Identify(host, "/", noHeader) }); n != 0 {
			t.Errorf("Identify(%q): %v allocations per run, want 0", host, n)
		}
	}
}

func TestBuild(t *testing.T) {
	// Ensure that Build carries tenants, pools, parsed backends and domains into the table, sorted.
	tab := mustBuild(t, snapshot())
	if tab.Revision() != 7 || tab.BaseDomain() != "saas.example" {
		t.Fatalf("Revision, BaseDomain = %d, %q", tab.Revision(), tab.BaseDomain())
	}
	var slugs []string
	for _, tn := range tab.Tenants() {
		slugs = append(slugs, tn.Slug)
	}
	if got := strings.Join(slugs, ","); got != "acme,blue-shop,gone" {
		t.Fatalf("Tenants() = %s", got)
	}
	acme := tab.Tenant("acme")
	if acme == nil || acme.ID != 1 || acme.Suspended() || !tab.Tenant("gone").Suspended() {
		t.Fatalf("Tenant(acme) = %+v", acme)
	}
	def := acme.Pool("default")
	if def == nil || def.ID != 10 || len(def.Backends) != 2 {
		t.Fatalf("Pool(default) = %+v", def)
	}
	if b := def.Backends[0]; b.ID != 20 || b.URL.Host != "127.0.0.1:8001" || b.Weight != 1 {
		t.Fatalf("first backend = %+v, want ID 20 (sorted by ID)", b)
	}
	if api := acme.Pool("api"); api.Backends[0].URL.Path != "/v1" || api.Backends[0].URL.Scheme != "https" {
		t.Fatalf("api backend URL = %v", api.Backends[0].URL)
	}
	if ps := acme.Pools(); len(ps) != 2 || ps[0].Name != "api" {
		t.Fatalf("Pools() not sorted by name: %v", ps)
	}
	if ds := acme.Domains(); len(ds) != 2 || ds[0].Name != "new.acme.com" {
		t.Fatalf("Domains() = %v", ds)
	}
	if len(tab.Tenant("blue-shop").Domains()) != 2 {
		t.Fatal("a suspended domain must still be listed by Domains()")
	}
	if tab.Tenant("nobody") != nil {
		t.Fatal("Tenant(nobody) != nil")
	}
}

func TestBuildRefuses(t *testing.T) {
	// Ensure that Build refuses an inconsistent snapshot with an error naming the record at fault.
	tests := []struct {
		name   string
		change func(s *store.Snapshot)
		want   string
	}{
		{"backend of a missing pool", func(s *store.Snapshot) {
			s.Backends = append(s.Backends, store.Backend{ID: 99, Tenant: "acme", Pool: "blue", URL: "http://x:1", Weight: 1})
		}, `tenant "acme" has no pool "blue"`},
		{"backend of an unknown tenant", func(s *store.Snapshot) {
			s.Backends = append(s.Backends, store.Backend{ID: 99, Tenant: "ghost", Pool: "default", URL: "http://x:1", Weight: 1})
		}, `unknown tenant "ghost"`},
		{"pool of an unknown tenant", func(s *store.Snapshot) {
			s.Pools = append(s.Pools, store.Pool{ID: 99, Tenant: "ghost", Name: "default"})
		}, `pool ghost/default: unknown tenant`},
		{"domain of an unknown tenant", func(s *store.Snapshot) {
			s.Domains = append(s.Domains, store.Domain{Name: "x.ghost.com", Tenant: "ghost", State: store.DomainActive})
		}, `domain x.ghost.com: unknown tenant "ghost"`},
		{"domain listed twice", func(s *store.Snapshot) {
			s.Domains = append(s.Domains, store.Domain{Name: "shop.acme.com", Tenant: "blue-shop"})
		}, `domain shop.acme.com is listed twice`},
		{"domain not normalised", func(s *store.Snapshot) {
			s.Domains = append(s.Domains, store.Domain{Name: "Shop.Blue.com", Tenant: "blue-shop"})
		}, `"Shop.Blue.com" of tenant blue-shop is not a normalised`},
		{"tenant listed twice", func(s *store.Snapshot) {
			s.Tenants = append(s.Tenants, store.Tenant{ID: 9, Slug: "acme", State: store.TenantActive})
		}, `tenant "acme" is listed twice`},
		{"invalid slug", func(s *store.Snapshot) {
			s.Tenants = append(s.Tenants, store.Tenant{ID: 9, Slug: "a.b", State: store.TenantActive})
		}, `tenant "a.b": invalid slug`},
		{"unknown tenant state", func(s *store.Snapshot) {
			s.Tenants[0].State = "paused"
		}, `unknown state "paused"`},
		{"backend URL", func(s *store.Snapshot) { s.Backends[0].URL = "ftp://x" }, `"ftp://x" is not an http(s) URL`},
		{"backend weight", func(s *store.Snapshot) { s.Backends[0].Weight = 0 }, `weight 0`},
		{"base domain not normalised", func(s *store.Snapshot) { s.Settings.BaseDomain = "SaaS.example." }, `base domain "SaaS.example."`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := snapshot()
			tt.change(s)
			tab, err := Build(s)
			if err == nil || tab != nil {
				t.Fatalf("Build = %v, %v; want an error", tab, err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "revision 7") {
				t.Fatalf("Build error %q does not contain %q and the revision", err, tt.want)
			}
		})
	}
	if _, err := Build(nil); err == nil {
		t.Fatal("Build(nil) succeeded")
	}
}

func TestRuleString(t *testing.T) {
	// Ensure that every rule has a name.
	for r, want := range map[Rule]string{RuleNone: "none", RuleHost: "host", RuleSlug: "slug"} {
		if got := fmt.Sprint(r); got != want {
			t.Errorf("Rule(%d) = %q, want %q", r, got, want)
		}
	}
}

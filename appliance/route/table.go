// Package route holds foyer's routing table: an immutable Table built from
// a store.Snapshot, which the appliance swaps in atomically on every
// configuration change, and Identify, which names the tenant a request is
// for. It is pure: no I/O, no locks, and no allocation in Identify for an
// ASCII host, so the proxy pays almost nothing for it.
package route

import (
	"cmp"
	"net/url"
	"slices"
	"strings"

	"github.com/foyerhq/foyer/store"
)

// Table is one routing table, built by Build for one configuration
// revision. It is never modified after Build returns, so any number of
// goroutines may use it at once; everything it hands out (tenants, pools,
// backends, domains) is shared and must be treated as read-only.
type Table struct {
	revision  uint64
	base      string             // the base domain; "" turns slug routing off
	tenants   []*Tenant          // sorted by slug
	slugs     map[string]*Tenant // slug -> tenant
	hosts     map[string]hostRef // custom domain (any state) -> tenant
	aliases   map[string]hostRef // alias label -> tenant and <alias>.<base_domain>
	paths     []pathRef          // id-paths, longest first (ident.go)
	jwtClaims []string           // distinct jwt-claim names of tenants with jwt on
}

// hostRef is what a custom domain routes to.
type hostRef struct {
	tenant *Tenant
	name   string // the domain, shared with the map key
}

// Tenant is one tenant as routing sees it.
type Tenant struct {
	store.Tenant                // ID, Slug, Name, State as stored
	poolList     []*Pool        // sorted by name; a tenant has a few, so no map
	domains      []store.Domain // every domain, whatever its state, sorted by name
	slugHost     string         // <slug>.<base_domain>, or "" without a base domain
	// Effective is the tenant's policy, resolved from its plan and
	// overrides; never nil after Build. Tenants without overrides share
	// their plan's value (read-only, like the rest of the table): it is
	// 408 bytes a tenant that 10,000 tenants on one plan need not copy.
	Effective *store.EffectivePolicy
	// APIKeys are the tenant's API keys (hashes only). Read-only.
	APIKeys []store.APIKey
	// JWTKeys is the tenant's parsed JWT key material, or nil. Read-only.
	JWTKeys *store.JWTKeySet
}

// Pool is a named group of backends of one tenant.
type Pool struct {
	ID        uint64
	Name      string
	Algorithm store.Algorithm
	Backends  []*Backend // sorted by ID; read-only
	Conf      store.Pool // balancing and health settings, defaults filled in
}

// Backend is one upstream server of a pool. URL is parsed once, by Build.
type Backend struct {
	ID      uint64
	URL     *url.URL // read-only
	Weight  int
	Drained bool // no new requests
}

// Revision is the configuration revision the table was built from.
func (t *Table) Revision() uint64 { return t.revision }

// BaseDomain is the base domain slug routing answers under; "" when slug
// routing is off.
func (t *Table) BaseDomain() string { return t.base }

// Tenant returns the tenant with that slug, or nil.
func (t *Table) Tenant(slug string) *Tenant { return t.slugs[slug] }

// Tenants returns every tenant, sorted by slug. The slice is shared: do not
// modify it.
func (t *Table) Tenants() []*Tenant { return t.tenants }

// Suspended reports whether the tenant's requests get 503 from foyer.
func (tn *Tenant) Suspended() bool { return tn.State == store.TenantSuspended }

// Pool returns the tenant's pool with that name, or nil.
func (tn *Tenant) Pool(name string) *Pool {
	for _, p := range tn.poolList {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Pools returns the tenant's pools, sorted by name. The slice is shared.
func (tn *Tenant) Pools() []*Pool { return tn.poolList }

// Domains returns the tenant's custom domains in every state, sorted by
// name. The slice is shared.
func (tn *Tenant) Domains() []store.Domain { return tn.domains }

// SlugHost returns "<slug>.<base_domain>", or "" when slug routing is off.
func (tn *Tenant) SlugHost() string { return tn.slugHost }

// sortTenants orders tenants by slug and each tenant's pools and domains
// by name, so every listing a Table gives is stable.
// slices.SortFunc with plain functions allocates nothing per tenant, which
// sort.Slice's closures did (Build sorts 10,000s of one-element slices).
func sortTenants(ts []*Tenant) {
	slices.SortFunc(ts, func(a, b *Tenant) int { return strings.Compare(a.Slug, b.Slug) })
	for _, tn := range ts {
		if len(tn.poolList) > 1 {
			slices.SortFunc(tn.poolList, func(a, b *Pool) int { return strings.Compare(a.Name, b.Name) })
		}
		if len(tn.domains) > 1 {
			slices.SortFunc(tn.domains, func(a, b store.Domain) int { return strings.Compare(a.Name, b.Name) })
		}
		for _, p := range tn.poolList {
			if len(p.Backends) > 1 {
				slices.SortFunc(p.Backends, func(a, b *Backend) int { return cmp.Compare(a.ID, b.ID) })
			}
		}
	}
}

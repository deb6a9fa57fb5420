package route

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/foyerhq/foyer/store"
)

// Build validates s and returns the routing table for it. It refuses (with
// an error naming the record at fault) a snapshot a store should never
// produce: a duplicate or invalid slug, a pool, backend or domain of an
// unknown tenant, a backend of a missing pool, a backend URL that does not
// parse, a domain or base domain not in normal form, a domain listed
// twice. On error the caller keeps the table it has.
func Build(s *store.Snapshot) (*Table, error) {
	if s == nil {
		return nil, errors.New("build route table: no snapshot")
	}
	t, err := build(s)
	if err != nil {
		return nil, fmt.Errorf("build route table at revision %d: %w", s.Revision, err)
	}
	sortTenants(t.tenants)
	return t, nil
}

// build assembles the table, one kind of record after another.
func build(s *store.Snapshot) (*Table, error) {
	t := &Table{
		revision: s.Revision,
		slugs:    make(map[string]*Tenant, len(s.Tenants)),
		hosts:    make(map[string]hostRef, len(s.Domains)),
	}
	if err := t.setBase(s.Settings.BaseDomain); err != nil {
		return nil, err
	}
	for _, st := range s.Tenants {
		if err := t.addTenant(st); err != nil {
			return nil, err
		}
	}
	if err := t.addPolicies(s); err != nil {
		return nil, err
	}
	if err := t.addIdent(s); err != nil {
		return nil, err
	}
	for _, p := range s.Pools {
		if err := t.addPool(p); err != nil {
			return nil, err
		}
	}
	for _, b := range s.Backends {
		if err := t.addBackend(b); err != nil {
			return nil, err
		}
	}
	for _, d := range s.Domains {
		if err := t.addDomain(d); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (t *Table) setBase(base string) error {
	if base == "" {
		return nil
	}
	if n, ok := NormalizeHost(base); !ok || n != base {
		return fmt.Errorf("base domain %q is not a normalised host name", base)
	}
	t.base = base
	return nil
}

func (t *Table) addTenant(st store.Tenant) error {
	if !store.ValidSlug(st.Slug, 63) {
		return fmt.Errorf("tenant %q: invalid slug", st.Slug)
	}
	if _, dup := t.slugs[st.Slug]; dup {
		return fmt.Errorf("tenant %q is listed twice", st.Slug)
	}
	if st.State != store.TenantActive && st.State != store.TenantSuspended {
		return fmt.Errorf("tenant %q: unknown state %q", st.Slug, st.State)
	}
	tn := &Tenant{Tenant: st}
	if t.base != "" {
		tn.slugHost = st.Slug + "." + t.base
	}
	t.slugs[st.Slug] = tn
	t.tenants = append(t.tenants, tn)
	return nil
}

func (t *Table) addPool(p store.Pool) error {
	tn := t.slugs[p.Tenant]
	if tn == nil {
		return fmt.Errorf("pool %s/%s: unknown tenant %q", p.Tenant, p.Name, p.Tenant)
	}
	if tn.Pool(p.Name) != nil {
		return fmt.Errorf("pool %s/%s is listed twice", p.Tenant, p.Name)
	}
	conf := p.WithDefaults()
	rp := &Pool{ID: p.ID, Name: p.Name, Algorithm: conf.Algorithm, Conf: conf}
	tn.poolList = append(tn.poolList, rp)
	return nil
}

func (t *Table) addBackend(b store.Backend) error {
	tn := t.slugs[b.Tenant]
	if tn == nil {
		return fmt.Errorf("backend %d (%s): unknown tenant %q", b.ID, b.URL, b.Tenant)
	}
	p := tn.Pool(b.Pool)
	if p == nil {
		return fmt.Errorf("backend %d (%s): tenant %q has no pool %q", b.ID, b.URL, b.Tenant, b.Pool)
	}
	u, err := url.Parse(b.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("backend %d of %s/%s: %q is not an http(s) URL", b.ID, b.Tenant, b.Pool, b.URL)
	}
	if b.Weight < 1 || b.Weight > store.MaxWeight {
		return fmt.Errorf("backend %d (%s): weight %d is not from 1 to %d", b.ID, b.URL, b.Weight, store.MaxWeight)
	}
	p.Backends = append(p.Backends, &Backend{ID: b.ID, URL: u, Weight: b.Weight, Drained: b.Drained})
	return nil
}

func (t *Table) addDomain(d store.Domain) error {
	tn := t.slugs[d.Tenant]
	if tn == nil {
		return fmt.Errorf("domain %s: unknown tenant %q", d.Name, d.Tenant)
	}
	if n, ok := NormalizeHost(d.Name); !ok || n != d.Name {
		return fmt.Errorf("domain %q of tenant %s is not a normalised host name", d.Name, d.Tenant)
	}
	if prev, dup := t.hosts[d.Name]; dup {
		return fmt.Errorf("domain %s is listed twice (tenants %s and %s)", d.Name, prev.tenant.Slug, d.Tenant)
	}
	tn.domains = append(tn.domains, d)
	// Every state routes: routing does not wait for verification (only
	// issuance does), and a domain in state suspended is one whose tenant
	// is suspended, which the proxy answers with 503.
	t.hosts[d.Name] = hostRef{tenant: tn, name: d.Name}
	return nil
}

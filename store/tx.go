package store

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"
)

// tx is the one Tx implementation, over any KVTx.
type tx struct {
	kv      KVTx
	now     time.Time
	write   bool
	config  bool     // a configuration record changed: bump the revision
	actions []string // audit lines, in order
}

var errReadOnly = errors.New("store: write in a read-only transaction")

// change records an audited configuration change.
func (t *tx) change(format string, args ...any) error {
	if !t.write {
		return errReadOnly
	}
	t.config = true
	t.actions = append(t.actions, fmt.Sprintf(format, args...))
	return nil
}

func (t *tx) nextID() (uint64, error) {
	id := getU64(t.kv, "seq") + 1
	return id, putU64(t.kv, "seq", id)
}

// Settings

func (t *tx) Settings() (Settings, error) {
	s := DefaultSettings()
	_, err := getJSON(t.kv, BucketMeta, "settings", &s)
	return s, err
}

func (t *tx) SetSettings(s Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	old, err := t.Settings()
	if err != nil {
		return err
	}
	var diffs []string
	for _, k := range SettingKeys {
		if a, b := k.Get(&old), k.Get(&s); a != b {
			diffs = append(diffs, k.Key+"="+k.Shown(&s)) // a secret is never audited
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	if s.BaseDomain != old.BaseDomain && s.BaseDomain != "" {
		ds, err := t.Domains("")
		if err != nil {
			return err
		}
		for _, d := range ds {
			if underBase(d.Name, s.BaseDomain) {
				return Errf(ErrConflict, "settings.base-domain", "remove that domain first, or pick another base domain",
					"domain %s of tenant %s lies under %s", d.Name, d.Tenant, s.BaseDomain)
			}
		}
	}
	if err := t.change("settings.set %s", strings.Join(diffs, " ")); err != nil {
		return err
	}
	return putJSON(t.kv, BucketMeta, "settings", s)
}

func underBase(name, base string) bool {
	return name == base || strings.HasSuffix(name, "."+base)
}

// Tenants

func notFound(kind, key, hint string) error {
	return Errf(ErrNotFound, "", hint, "%s %q not found", kind, key)
}

func (t *tx) Tenant(slug string) (Tenant, error) {
	var v Tenant
	ok, err := getJSON(t.kv, BucketTenants, slug, &v)
	if err == nil && !ok {
		err = notFound("tenant", slug, "list tenants with `foyer tenant list`")
	}
	return v, err
}

func (t *tx) Tenants() ([]Tenant, error) { return list[Tenant](t.kv, BucketTenants, "") }

func (t *tx) CreateTenant(v *Tenant) error {
	if err := validateSlug("tenant.slug", v.Slug); err != nil {
		return err
	}
	if v.Name == "" {
		v.Name = v.Slug
	}
	if err := validateName("tenant.name", v.Name); err != nil {
		return err
	}
	if v.State == "" {
		v.State = TenantActive
	}
	if err := validateTenantState(v.State); err != nil {
		return err
	}
	if err := t.checkTenantPolicy(v); err != nil {
		return err
	}
	if t.kv.Get(BucketTenants, v.Slug) != nil {
		return Errf(ErrExists, "tenant.slug", "pick another slug, or change it with `foyer tenant set`", "tenant %q already exists", v.Slug)
	}
	if err := t.checkLabelFree("tenant.slug", v.Slug); err != nil {
		return err
	}
	id, err := t.nextID()
	if err != nil {
		return err
	}
	v.ID, v.Created, v.Updated = id, t.now, t.now
	if err := t.change("tenant.create %s", v.Slug); err != nil {
		return err
	}
	return putJSON(t.kv, BucketTenants, v.Slug, v)
}

func validateTenantState(s TenantState) error {
	if s != TenantActive && s != TenantSuspended {
		return invalid("tenant.state", "use active or suspended", "unknown state %q", s)
	}
	return nil
}

func (t *tx) UpdateTenant(v *Tenant) error {
	cur, err := t.Tenant(v.Slug)
	if err != nil {
		return err
	}
	if err := validateName("tenant.name", v.Name); err != nil {
		return err
	}
	if err := validateTenantState(v.State); err != nil {
		return err
	}
	var diffs []string
	if cur.Name != v.Name {
		diffs = append(diffs, fmt.Sprintf("name=%q", v.Name))
	}
	if cur.State != v.State {
		diffs = append(diffs, "state="+string(v.State))
	}
	if len(diffs) == 0 {
		*v = cur
		return nil
	}
	cur.Name, cur.State, cur.Updated = v.Name, v.State, t.now
	*v = cur
	if err := t.change("tenant.update %s %s", v.Slug, strings.Join(diffs, " ")); err != nil {
		return err
	}
	return putJSON(t.kv, BucketTenants, v.Slug, cur)
}

func (t *tx) DeleteTenant(slug string, force bool) error {
	if _, err := t.Tenant(slug); err != nil {
		return err
	}
	bs, err := t.Backends(slug)
	if err != nil {
		return err
	}
	ds, err := t.Domains(slug)
	if err != nil {
		return err
	}
	if !force && (len(bs) > 0 || len(ds) > 0) {
		return Errf(ErrConflict, "", "remove them first, or use --force to delete them with the tenant",
			"tenant %q still has %d backend(s) and %d domain(s)", slug, len(bs), len(ds))
	}
	if err := t.change("tenant.delete %s", slug); err != nil {
		return err
	}
	for _, b := range bs {
		if err := t.kv.Delete(BucketBackends, backendKey(b)); err != nil {
			return err
		}
	}
	pools, err := t.Pools(slug)
	if err != nil {
		return err
	}
	for _, p := range pools {
		if err := t.kv.Delete(BucketPools, slug+"/"+p.Name); err != nil {
			return err
		}
	}
	for _, d := range ds {
		if err := t.kv.Delete(BucketDomains, d.Name); err != nil {
			return err
		}
	}
	if err := errors.Join(t.deleteTenantKeys(slug), t.deleteTenantTokens(slug), t.deleteTenantSSHKeys(slug)); err != nil {
		return err
	}
	if err := t.kv.Delete(BucketJWTKeys, slug); err != nil {
		return err
	}
	return t.kv.Delete(BucketTenants, slug)
}

// Pools and backends

func tenantPrefix(tenant string) string {
	if tenant == "" {
		return ""
	}
	return tenant + "/"
}

func backendKey(b Backend) string { return b.Tenant + "/" + b.Pool + "/" + idKey(b.ID) }

func (t *tx) Pools(tenant string) ([]Pool, error) {
	return list[Pool](t.kv, BucketPools, tenantPrefix(tenant))
}

func (t *tx) Backends(tenant string) ([]Backend, error) {
	return list[Backend](t.kv, BucketBackends, tenantPrefix(tenant))
}

func (t *tx) AddBackend(b *Backend) error {
	if _, err := t.Tenant(b.Tenant); err != nil {
		return err
	}
	if b.Pool == "" {
		b.Pool = DefaultPool
	}
	if !ValidSlug(b.Pool, 32) {
		return invalid("backend.pool", "use 1 to 32 lower-case letters, digits and inner hyphens", "%q is not a valid pool name", truncate(b.Pool))
	}
	u, err := ValidateBackendURL(b.URL)
	if err != nil {
		return err
	}
	b.URL = u
	if b.Weight == 0 {
		b.Weight = 1
	}
	if b.Weight < 1 || b.Weight > MaxWeight {
		return invalid("backend.weight", "", "must be from 1 to %d, got %d", MaxWeight, b.Weight)
	}
	existing, err := list[Backend](t.kv, BucketBackends, b.Tenant+"/"+b.Pool+"/")
	if err != nil {
		return err
	}
	for _, e := range existing {
		if e.URL == b.URL {
			return Errf(ErrExists, "backend.url", "", "%s is already a backend of %s/%s", b.URL, b.Tenant, b.Pool)
		}
	}
	if t.kv.Get(BucketPools, b.Tenant+"/"+b.Pool) == nil {
		pid, err := t.nextID()
		if err != nil {
			return err
		}
		p := Pool{ID: pid, Tenant: b.Tenant, Name: b.Pool, Algorithm: RoundRobin}
		if err := putJSON(t.kv, BucketPools, b.Tenant+"/"+b.Pool, p); err != nil {
			return err
		}
	}
	id, err := t.nextID()
	if err != nil {
		return err
	}
	b.ID, b.Created = id, t.now
	if err := t.change("backend.add %s/%s %s", b.Tenant, b.Pool, b.URL); err != nil {
		return err
	}
	return putJSON(t.kv, BucketBackends, backendKey(*b), b)
}

func (t *tx) RemoveBackend(tenant, pool, rawURL string) error {
	if _, err := t.Tenant(tenant); err != nil {
		return err
	}
	if pool == "" {
		pool = DefaultPool
	}
	u, err := ValidateBackendURL(rawURL)
	if err != nil {
		return err
	}
	existing, err := list[Backend](t.kv, BucketBackends, tenant+"/"+pool+"/")
	if err != nil {
		return err
	}
	for _, e := range existing {
		if e.URL == u {
			if err := t.change("backend.remove %s/%s %s", tenant, pool, u); err != nil {
				return err
			}
			return t.kv.Delete(BucketBackends, backendKey(e))
		}
	}
	return notFound("backend", u, fmt.Sprintf("list them with `foyer backend list %s`", tenant))
}

// Domains

func (t *tx) Domain(name string) (Domain, error) {
	var v Domain
	if n, err := NormalizeHost(name); err == nil {
		name = n
	}
	ok, err := getJSON(t.kv, BucketDomains, name, &v)
	if err == nil && !ok {
		err = notFound("domain", name, "list domains with `foyer domain list`")
	}
	return v, err
}

func (t *tx) Domains(tenant string) ([]Domain, error) {
	if tenant == "" {
		return list[Domain](t.kv, BucketDomains, "")
	}
	// Domains are keyed by name: decode only those that name the tenant.
	return listNaming(t.kv, BucketDomains, "", tenant, func(d *Domain) bool { return d.Tenant == tenant })
}

func (t *tx) AddDomain(d *Domain) error {
	if _, err := t.Tenant(d.Tenant); err != nil {
		return err
	}
	name, err := ValidateDomainName("domain.name", d.Name)
	if err != nil {
		return err
	}
	d.Name = name
	s, err := t.Settings()
	if err != nil {
		return err
	}
	if s.BaseDomain != "" && underBase(name, s.BaseDomain) {
		return invalid("domain.name", fmt.Sprintf("hosts under %s already route by slug (<slug>.%s); add only hosts outside it", s.BaseDomain, s.BaseDomain),
			"%s lies under the base domain %s", name, s.BaseDomain)
	}
	var cur Domain
	if ok, err := getJSON(t.kv, BucketDomains, name, &cur); err != nil {
		return err
	} else if ok && cur.Tenant != d.Tenant {
		return Errf(ErrConflict, "domain.name", "remove it there first with `foyer domain rm "+name+"`",
			"%s is already a domain of tenant %s", name, cur.Tenant)
	} else if ok {
		return Errf(ErrExists, "domain.name", "", "%s is already a domain of tenant %s", name, cur.Tenant)
	}
	if d.State == "" {
		d.State = DomainPendingDNS
	}
	if err := validateDomainState(d.State); err != nil {
		return err
	}
	if d.Token == "" {
		d.Token = rand.Text() // random; a closure run twice gets another, which is harmless
	}
	d.Created, d.Updated = t.now, t.now
	if err := t.change("domain.add %s %s", d.Tenant, name); err != nil {
		return err
	}
	return putJSON(t.kv, BucketDomains, name, d)
}

func validateDomainState(s DomainState) error {
	for _, v := range DomainStates {
		if v == s {
			return nil
		}
	}
	return invalid("domain.state", "", "unknown state %q", s)
}

func (t *tx) UpdateDomain(d *Domain) error {
	cur, err := t.Domain(d.Name)
	if err != nil {
		return err
	}
	if err := validateDomainState(d.State); err != nil {
		return err
	}
	if d.NotAfter.IsZero() {
		d.NotAfter = cur.NotAfter
	}
	if cur.State == d.State && cur.Reason == d.Reason && cur.Hint == d.Hint && cur.NotAfter.Equal(d.NotAfter) {
		*d = cur
		return nil
	}
	cur.State, cur.Reason, cur.Hint, cur.NotAfter, cur.Updated = d.State, d.Reason, d.Hint, d.NotAfter, t.now
	*d = cur
	if err := t.change("domain.state %s %s", cur.Name, cur.State); err != nil {
		return err
	}
	return putJSON(t.kv, BucketDomains, cur.Name, cur)
}

func (t *tx) RemoveDomain(name string) error {
	d, err := t.Domain(name)
	if err != nil {
		return err
	}
	if err := t.change("domain.remove %s %s", d.Tenant, d.Name); err != nil {
		return err
	}
	return t.kv.Delete(BucketDomains, d.Name)
}

// Certificates

func (t *tx) Cert(name string) (Certificate, error) {
	var v Certificate
	ok, err := getJSON(t.kv, BucketCerts, strings.ToLower(name), &v)
	if err == nil && !ok {
		err = notFound("certificate", name, "list certificates with `foyer cert list`")
	}
	return v, err
}

func (t *tx) Certs() ([]Certificate, error) { return list[Certificate](t.kv, BucketCerts, "") }

func (t *tx) PutCert(c *Certificate) error {
	parsed, err := ParseCertificate(c.Name, c.CertPEM, c.KeyPEM, t.now)
	if err != nil {
		return err
	}
	parsed.Created = t.now
	*c = parsed
	if err := t.change("cert.put %s (expires %s)", c.Name, c.NotAfter.Format(time.DateOnly)); err != nil {
		return err
	}
	if err := bumpCertsRevision(t.kv); err != nil {
		return err
	}
	return putJSON(t.kv, BucketCerts, c.Name, c)
}

// certsRevisionKey counts changes to imported certificates (BucketMeta).
const certsRevisionKey = "certs_revision"

func bumpCertsRevision(k KVTx) error {
	return putU64(k, certsRevisionKey, getU64(k, certsRevisionKey)+1)
}

func (t *tx) RemoveCert(name string) error {
	c, err := t.Cert(name)
	if err != nil {
		return err
	}
	if err := t.change("cert.remove %s", c.Name); err != nil {
		return err
	}
	if err := bumpCertsRevision(t.kv); err != nil {
		return err
	}
	return t.kv.Delete(BucketCerts, c.Name)
}

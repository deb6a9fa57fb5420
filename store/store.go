// Package store is foyer's domain model and the contract every storage
// backend keeps: the records (settings, tenants, pools, backends, domains,
// imported certificates, audit entries), their validation, transactions with
// the audit entry inside, the configuration revision and its change feed.
//
// A backend (store/boltstore on disk, store/memstore in memory, a clustered
// one later) provides only a KV: ordered buckets of byte keys with atomic
// read-write transactions. DB implements the whole Store on top of it, so
// every backend has the same semantics, which store/storetest checks.
package store

import (
	"context"
	"time"
)

// Tenants reads tenants and their pools and backends.
type Tenants interface {
	// Tenant returns the tenant with that slug, or an error wrapping ErrNotFound.
	Tenant(ctx context.Context, slug string) (Tenant, error)
	// ListTenants returns every tenant, sorted by slug.
	ListTenants(ctx context.Context) ([]Tenant, error)
	// ListBackends returns a tenant's backends, sorted by pool then ID.
	ListBackends(ctx context.Context, tenant string) ([]Backend, error)
}

// Domains reads custom domains.
type Domains interface {
	// Domain returns the domain with that (normalised) name, or ErrNotFound.
	Domain(ctx context.Context, name string) (Domain, error)
	// ListDomains returns the domains of one tenant, or of all when tenant is "".
	ListDomains(ctx context.Context, tenant string) ([]Domain, error)
}

// Certs reads imported certificates.
type Certs interface {
	// Cert returns the certificate imported under name, or ErrNotFound.
	Cert(ctx context.Context, name string) (Certificate, error)
	// ListCerts returns every imported certificate, sorted by name.
	ListCerts(ctx context.Context) ([]Certificate, error)
}

// Audit reads the audit trail.
type Audit interface {
	// AuditLog returns up to limit entries, newest first, with Seq < before
	// (before 0 means from the newest).
	AuditLog(ctx context.Context, limit int, before uint64) ([]Entry, error)
}

// Store is the union every part of foyer depends on (or a piece of it).
// Implementations are safe for concurrent use.
type Store interface {
	Tenants
	Domains
	Certs
	Audit
	Blobs // certmagic's storage; no revision, no audit (blob.go)
	Usage // usage rollups; no revision, no audit (usage.go)
	// Update runs fn in one atomic read-write transaction. If fn returns an
	// error, nothing it did is kept. Otherwise its changes, an audit entry
	// naming actor and every change, and (for configuration changes) the
	// next revision are committed together. fn must do no I/O and may be
	// run more than once.
	Update(ctx context.Context, actor string, fn func(Tx) error) error
	// View runs fn in a read-only transaction; fn must not write.
	View(ctx context.Context, fn func(Tx) error) error
	// Snapshot reads the whole configuration in one transaction.
	Snapshot(ctx context.Context) (*Snapshot, error)
	// Revision is the revision of the last committed configuration change.
	Revision() uint64
	// Subscribe returns a subscription to the change feed.
	Subscribe() *Subscription
	// Close releases the store. Subscriptions end with ErrClosed.
	Close() error
}

// Tx is the typed view of one transaction. Every write validates its
// input; a refused write returns an *Error and changes nothing.
type Tx interface {
	PoolTx
	PolicyTx
	IdentTx
	TokenTx
	SSHKeyTx

	Settings() (Settings, error)
	SetSettings(Settings) error

	Tenant(slug string) (Tenant, error)
	Tenants() ([]Tenant, error)
	// CreateTenant fills in ID, State (active), Name (slug) and times.
	CreateTenant(*Tenant) error
	// UpdateTenant replaces Name and State of an existing tenant.
	UpdateTenant(*Tenant) error
	// DeleteTenant refuses (ErrConflict) while the tenant has backends or
	// domains, unless force is set, which deletes them too.
	DeleteTenant(slug string, force bool) error

	// Pools returns a tenant's pools, or every pool when tenant is "".
	Pools(tenant string) ([]Pool, error)
	// Backends returns a tenant's backends, or every backend when tenant is "".
	Backends(tenant string) ([]Backend, error)
	// AddBackend fills in ID, Pool ("default") and Weight (1) and creates
	// the pool if it does not exist yet.
	AddBackend(*Backend) error
	// RemoveBackend removes the backend with that URL from the pool.
	RemoveBackend(tenant, pool, url string) error

	Domain(name string) (Domain, error)
	// Domains returns a tenant's domains, or every domain when tenant is "".
	Domains(tenant string) ([]Domain, error)
	// AddDomain stores a new domain in state pending_dns.
	AddDomain(*Domain) error
	// UpdateDomain replaces State, Reason and Hint of an existing domain.
	UpdateDomain(*Domain) error
	RemoveDomain(name string) error

	Cert(name string) (Certificate, error)
	Certs() ([]Certificate, error)
	// PutCert stores (or replaces) an imported certificate, parsed with
	// ParseCertificate.
	PutCert(*Certificate) error
	RemoveCert(name string) error
}

// Options tunes a DB. The zero value is ready to use.
type Options struct {
	// Now is the clock; default time.Now.
	Now func() time.Time
}

package store

// IdentTx is the part of Tx for identifying tenants beyond their Host:
// aliases under the base domain and JWT key material. Every write is a
// configuration change (audited, a new revision). Aliases share one
// namespace with slugs: a label routes to one tenant only, and a write
// that would break that returns ErrConflict naming the owner.
type IdentTx interface {
	// AddTenantAlias routes <alias>.<base_domain> to the tenant.
	AddTenantAlias(slug, alias string) error
	// RemoveTenantAlias stops routing the alias; ErrNotFound if the tenant
	// has no such alias.
	RemoveTenantAlias(slug, alias string) error

	// JWTKeys returns every tenant's JWT key material, sorted by tenant.
	JWTKeys() ([]JWTKey, error)
	// JWTKey returns a tenant's JWT key, or an error wrapping ErrNotFound.
	JWTKey(slug string) (JWTKey, error)
	// SetJWTKey stores (or replaces) a tenant's key after ParseJWTKey
	// accepts it; Updated is filled in. The audit line never holds Data.
	SetJWTKey(k *JWTKey) error
	// RemoveJWTKey deletes a tenant's key; ErrNotFound if it has none.
	RemoveJWTKey(slug string) error
}

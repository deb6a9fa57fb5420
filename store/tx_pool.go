package store

// PoolTx is the part of Tx for pools' balancing and health settings and
// for draining backends (the traffic issue).
type PoolTx interface {
	// Pool returns a tenant's pool, or an error wrapping ErrNotFound.
	Pool(tenant, name string) (Pool, error)
	// SetPool validates p, fills in its defaults, and stores it, creating
	// the pool (with a new ID) if the tenant has none of that name.
	SetPool(p *Pool) error
	// SetBackendDrained marks the backend with that URL drained (no new
	// requests) or not; ErrNotFound if the pool has no such backend.
	SetBackendDrained(tenant, pool, url string, drained bool) error
}

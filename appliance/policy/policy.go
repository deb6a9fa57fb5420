// Package policy holds tenants to their traffic policy: maintenance mode,
// the HTTP->HTTPS redirect, IP allow and deny lists, API keys, per-IP and
// per-tenant rate limits (token buckets) and the concurrency limit with
// its small bounded queue.
//
// The runtime state (buckets, per-IP limiters, in-flight counts, API key
// use) lives in a Registry keyed by tenant ID, outside the route table: a
// rebuild keeps it, so a tripped limiter stays tripped across a
// configuration change, and changed limits are applied to the existing
// buckets in place. Nothing on the request path takes a lock shared by all
// tenants: the registry's tenant map is an immutable map behind an atomic
// pointer, replaced by Sync.
package policy

import (
	"maps"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// APIKeyMode says whether requests must carry an API key.
type APIKeyMode uint8

// API key modes.
const (
	KeysOff      APIKeyMode = iota // keys are not looked at
	KeysOptional                   // a request may carry a key; a bad one gets 401
	KeysRequired                   // every request needs a valid key
)

// Config is one tenant's policy as the runtime applies it. A zero Config
// lets every request through.
type Config struct {
	Rate          float64 // requests per second for the tenant; 0 = off
	Burst         int     // bucket size of Rate (at least 1 when Rate is on)
	IPRate        float64 // requests per second per client IP; 0 = off
	IPBurst       int
	MaxInFlight   int           // 0 = off
	Queue         int           // requests that may wait for a slot
	QueueTimeout  time.Duration // how long one may wait
	Allow, Deny   []netip.Prefix
	APIKeys       APIKeyMode
	Keys          map[string]Key // by public key ID
	Maintenance   bool
	Message       string // the maintenance page's text
	RedirectHTTPS bool
	// JWT verifies the tenant's JWTs (jwt.go); nil when it has no JWT key
	// or jwt is off.
	JWT *JWTConfig
}

// Key is one API key of a tenant, as the check needs it.
type Key struct {
	Name    string
	Hash    [32]byte  // SHA-256 of the whole token
	Expires time.Time // zero: never
}

// Tenant is one tenant's entry of Sync.
type Tenant struct {
	ID     uint64
	Slug   string
	Config Config
}

// Options configures a Registry.
type Options struct {
	// Now is the clock of every bucket and expiry; default time.Now.
	Now func() time.Time
	// After is the timer of the concurrency queue; default time.After.
	After func(time.Duration) <-chan time.Time
	// MaxIPs bounds the per-IP limiters kept per tenant (least recently
	// used go first); default MaxIPsPerTenant.
	MaxIPs int
}

// MaxIPsPerTenant is how many client IPs' limiters a tenant keeps by default.
const MaxIPsPerTenant = 10000

// Registry is the runtime state of every tenant's policy. It is safe for
// concurrent use.
type Registry struct {
	now    func() time.Time
	after  func(time.Duration) <-chan time.Time
	maxIPs int
	mu     sync.Mutex                        // serialises Sync
	states atomic.Pointer[map[uint64]*state] // by tenant ID; replaced whole by Sync
}

// New returns an empty Registry.
func New(opts Options) *Registry {
	r := &Registry{now: opts.Now, after: opts.After, maxIPs: opts.MaxIPs}
	if r.now == nil {
		r.now = time.Now
	}
	if r.after == nil {
		r.after = time.After
	}
	if r.maxIPs <= 0 {
		r.maxIPs = MaxIPsPerTenant
	}
	r.states.Store(&map[uint64]*state{})
	return r
}

// Sync puts tenants' configurations in service. A tenant already known
// keeps its state, with its limits changed in place; state of tenants not
// listed is dropped. A tenant whose configuration is the one in service is
// left alone: most of a configuration change's tenants are unchanged, and
// configuring each of 10,000 again was a third of the proxy's swap.
func (r *Registry) Sync(tenants []Tenant) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := *r.states.Load()
	next := make(map[uint64]*state, len(tenants))
	now := r.now()
	for _, t := range tenants {
		st := old[t.ID]
		if st == nil {
			st = newState(r.maxIPs)
		} else if c := st.cfg.Load(); c != nil && c.slug == t.Slug && sameConfig(c.Config, t.Config) {
			next[t.ID] = st
			continue
		}
		st.configure(t.Slug, t.Config, now)
		next[t.ID] = st
	}
	r.states.Store(&next)
}

// sameConfig reports whether a and b configure a tenant alike. Sync
// compares the configuration in service (as configure stored it, limits
// normalised) with the one given, so a given one that configure would
// normalise counts as changed and is configured again, which is safe. A
// JWT configuration is compared by pointer (a rebuilt one counts as
// changed).
// TestSameConfigFields checks that every field of Config is compared.
func sameConfig(a, b Config) bool {
	return a.Rate == b.Rate && a.Burst == b.Burst && a.IPRate == b.IPRate && a.IPBurst == b.IPBurst &&
		a.MaxInFlight == b.MaxInFlight && a.Queue == b.Queue && a.QueueTimeout == b.QueueTimeout &&
		slices.Equal(a.Allow, b.Allow) && slices.Equal(a.Deny, b.Deny) && a.APIKeys == b.APIKeys &&
		maps.Equal(a.Keys, b.Keys) && a.Maintenance == b.Maintenance && a.Message == b.Message &&
		a.RedirectHTTPS == b.RedirectHTTPS && a.JWT == b.JWT
}

func (r *Registry) state(id uint64) *state { return (*r.states.Load())[id] }

// InFlight reports a tenant's requests holding a concurrency slot and
// those waiting in its queue (for status pages and tests).
func (r *Registry) InFlight(tenantID uint64) (running, queued int) {
	st := r.state(tenantID)
	if st == nil {
		return 0, 0
	}
	return st.slots.counts()
}

// IPs reports how many client IPs' limiters a tenant holds.
func (r *Registry) IPs(tenantID uint64) int {
	st := r.state(tenantID)
	if st == nil {
		return 0
	}
	return st.ips.Len()
}

// UsedKeys returns when each API key used since the last call was last
// used, by "slug/id", and forgets it: the appliance flushes this to the
// store about once a minute.
func (r *Registry) UsedKeys() map[string]time.Time {
	out := map[string]time.Time{}
	for _, st := range *r.states.Load() {
		st.usedKeys(out)
	}
	return out
}

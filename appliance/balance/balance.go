// Package balance picks the backend for a request. A Selector is one small
// type per algorithm; the runtime state it needs (rotation counters,
// health, ejections, in-flight counts, latency averages) lives in a
// Registry keyed by pool and backend ID, outside the immutable route table,
// so a table rebuild keeps it.
package balance

import (
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// Upstream is one backend as the balancer sees it: immutable identity,
// address and settings from the route table, and mutable runtime State
// from the Registry.
type Upstream struct {
	ID      uint64
	URL     *url.URL
	Weight  int
	Drained bool  // no new requests; those in flight finish
	Conf    *Conf // the pool's passive-health and slow-start settings; shared, read-only
	State   *State
}

// Conf is a pool's passive-health and slow-start settings, shared by its
// upstreams. The zero value turns both off.
type Conf struct {
	MaxFails  int           // consecutive failures that eject; 0 = never
	Cooldown  time.Duration // first ejection's length; doubles on repeat up to maxBackoff times
	SlowStart time.Duration // a recovered backend's share ramps up over this; 0 = at once
}

// maxBackoff caps the cool-down at this many times its base.
const maxBackoff = 32

// noConf is the Conf of an Upstream built without one.
var noConf = &Conf{}

func (u *Upstream) conf() *Conf {
	if u.Conf == nil {
		return noConf
	}
	return u.Conf
}

// Key is what a request offers the hash selectors: a hash of the client
// IP, a header or a cookie, computed by the caller (see Hash).
type Key struct {
	Hash uint64
}

// Selector chooses one of a pool's upstreams for a request, or nil when
// none may be picked. Implementations are safe for concurrent use and do
// not allocate. ups is in the order the Selector was built for.
type Selector interface {
	Select(ups []*Upstream, k Key) *Upstream
}

// Registry keeps runtime state across route-table rebuilds.
type Registry struct {
	now      func() time.Time // the clock for ejections and slow start
	mu       sync.Mutex       // guards the maps, not the states they hold
	backends map[uint64]*State
	counters map[uint64]*atomic.Uint64 // per pool: rotation position or random state
	onChange HealthFunc                // given to every State; set by OnHealthChange before use
}

// OnHealthChange makes f hear of every backend's health transitions
// (HealthFunc says how it is called). Call it before the registry is
// used: states created earlier do not call f.
func (r *Registry) OnHealthChange(f HealthFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onChange = f
}

// NewRegistry returns an empty registry on the real clock.
func NewRegistry() *Registry { return NewRegistryClock(time.Now) }

// NewRegistryClock returns an empty registry on clock now (tests inject one).
func NewRegistryClock(now func() time.Time) *Registry {
	return &Registry{now: now, backends: map[uint64]*State{}, counters: map[uint64]*atomic.Uint64{}}
}

// Now is the registry's clock.
func (r *Registry) Now() time.Time { return r.now() }

// Backend returns the state of backend id, creating it healthy.
func (r *Registry) Backend(id uint64) *State {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.backends[id]
	if !ok {
		s = &State{now: r.now, id: id, onChange: r.onChange}
		r.backends[id] = s
	}
	return s
}

// Lookup returns the state of backend id, or nil when it has none.
func (r *Registry) Lookup(id uint64) *State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.backends[id]
}

// counter returns the rotation counter of pool id.
func (r *Registry) counter(id uint64) *atomic.Uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.counters[id]
	if !ok {
		c = &atomic.Uint64{}
		r.counters[id] = c
	}
	return c
}

// Retain forgets the state of every backend and pool not in keep, so a
// deleted backend's state does not live forever.
func (r *Registry) Retain(backends, pools map[uint64]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id := range r.backends {
		if !backends[id] {
			delete(r.backends, id)
		}
	}
	for id := range r.counters {
		if !pools[id] {
			delete(r.counters, id)
		}
	}
}

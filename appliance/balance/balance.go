// Package balance picks the backend for a request. A Selector is one small
// type per algorithm; the runtime state it needs (rotation counters,
// health, in-flight counts) lives in a Registry keyed by pool and backend
// ID, outside the immutable route table, so a table rebuild keeps it.
package balance

import (
	"net/url"
	"sync"
	"sync/atomic"
)

// Upstream is one backend as the balancer sees it: immutable identity and
// address from the route table, and mutable runtime State from the
// Registry.
type Upstream struct {
	ID     uint64
	URL    *url.URL
	Weight int
	State  *State
}

// State is a backend's runtime state. All fields are atomics: they are
// read and written on the request path by every request to that backend.
type State struct {
	down     atomic.Bool  // set by the health checker (traffic issue); false = healthy
	inFlight atomic.Int64 // requests being forwarded to it now
}

// Healthy reports whether the backend may be picked.
func (s *State) Healthy() bool { return !s.down.Load() }

// SetHealthy records the health checker's verdict.
func (s *State) SetHealthy(ok bool) { s.down.Store(!ok) }

// InFlight is the number of requests being forwarded to it now.
func (s *State) InFlight() int64 { return s.inFlight.Load() }

// Begin counts a request in; call End when it ends.
func (s *State) Begin() { s.inFlight.Add(1) }

// End counts a request out.
func (s *State) End() { s.inFlight.Add(-1) }

// Selector chooses one of a pool's upstreams for a request, or nil when
// none may be picked. Implementations are safe for concurrent use and do not
// allocate.
type Selector interface {
	Select(ups []*Upstream) *Upstream
}

// Registry keeps runtime state across route-table rebuilds.
type Registry struct {
	mu       sync.Mutex // guards the maps, not the states they hold
	backends map[uint64]*State
	counters map[uint64]*atomic.Uint64 // per pool: round-robin position
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{backends: map[uint64]*State{}, counters: map[uint64]*atomic.Uint64{}}
}

// Backend returns the state of backend id, creating it healthy.
func (r *Registry) Backend(id uint64) *State {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.backends[id]
	if !ok {
		s = &State{}
		r.backends[id] = s
	}
	return s
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

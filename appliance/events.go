package appliance

import (
	"strconv"
	"sync"
	"time"

	"github.com/foyerhq/foyer/appliance/admin"
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
)

// eventRing is how many recent events the hub keeps; a new watch stream
// starts with them.
const eventRing = 128

// eventBuffer is each subscriber's buffer: above eventRing, so the replay
// always fits, with room for a burst.
const eventBuffer = 256

// eventHub collects what happens in the appliance that an operator
// watches for (the watch stream's event lines, `foyer events`, the TUI's
// feed): domain state changes (verifier.go), certificates obtained,
// renewed and evicted (verifier.go, certlife.go), backend health
// transitions (balance.Registry's HealthFunc) and tenants' circuit
// breakers changing state (balance.Breakers' BreakerFunc). Publishing never blocks:
// each subscriber has a bounded channel, and one that is full misses the
// event and is told how many it missed in the next one it gets. Nothing
// here runs on the request path except a health transition seen by a
// request (a passive ejection, its end, a breaker's change), which costs
// one publish.
type eventHub struct {
	now   func() time.Time
	table func() *route.Table // the table in service, for health notices' names; nil: none

	mu   sync.Mutex // guards everything below
	ring [eventRing]api.Notice
	head int // where the next event goes
	n    int // events in ring, at most eventRing
	subs map[*eventSub]struct{}
	// idxOf is the table backends was indexed from; backends maps a
	// backend ID to its tenant, pool and URL, rebuilt at the first health
	// or breaker notice after a table swap.
	idxOf    *route.Table
	backends map[uint64]backendRef
	tenants  map[uint64]string // tenant ID -> slug, from idxOf too
}

// backendRef names a backend in health notices.
type backendRef struct {
	tenant, pool, url string
}

func newEventHub(now func() time.Time) *eventHub {
	return &eventHub{now: now, subs: map[*eventSub]struct{}{}}
}

// eventSub is one subscriber (admin.EventSubscription).
type eventSub struct {
	hub     *eventHub
	c       chan api.Notice
	dropped uint64 // missed since the last delivered notice; guarded by hub.mu
}

// C is the subscriber's channel; it is never closed.
func (s *eventSub) C() <-chan api.Notice { return s.c }

// Close ends the subscription.
func (s *eventSub) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	delete(s.hub.subs, s)
}

// subscribe is admin.Options.Events: a new subscriber, whose channel
// already holds the recent events, oldest first.
func (h *eventHub) subscribe() admin.EventSubscription {
	s := &eventSub{hub: h, c: make(chan api.Notice, eventBuffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.n {
		s.c <- h.ring[(h.head-h.n+i+eventRing)%eventRing]
	}
	h.subs[s] = struct{}{}
	return s
}

// publish records n and hands it to every subscriber that has room.
func (h *eventHub) publish(n api.Notice) {
	if n.Time.IsZero() {
		n.Time = h.now().UTC()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ring[h.head] = n
	h.head = (h.head + 1) % eventRing
	h.n = min(h.n+1, eventRing)
	for s := range h.subs {
		m := n
		m.Dropped = s.dropped
		select {
		case s.c <- m:
			s.dropped = 0
		default:
			s.dropped++
		}
	}
}

// domainChanged publishes a domain's state change from was to d; nothing
// when the state stayed (a new reason or hint alone is not an event).
func (h *eventHub) domainChanged(was, d store.Domain) {
	if was.State == d.State {
		return
	}
	h.publish(api.Notice{Kind: api.NoticeDomain, Tenant: d.Tenant, Name: d.Name, From: string(was.State),
		To: string(d.State), Reason: d.Reason, Hint: d.Hint})
}

// certificate publishes that name's certificate was obtained, renewed or
// evicted (what, an api.Cert* constant); notAfter, when known, is its
// expiry.
func (h *eventHub) certificate(tenant, name, what string, notAfter time.Time) {
	n := api.Notice{Kind: api.NoticeCertificate, Tenant: tenant, Name: name, To: what}
	if !notAfter.IsZero() {
		n.Reason = "until " + notAfter.UTC().Format(time.DateOnly)
	}
	h.publish(n)
}

// breakerChanged is the proxy's breakers' BreakerFunc: it names the
// tenant from the table in service and publishes the change.
func (h *eventHub) breakerChanged(tenantID uint64, from, to string) {
	slug := h.tenant(tenantID)
	h.publish(api.Notice{Kind: api.NoticeBreaker, Tenant: slug, Name: slug, From: from, To: to, Reason: breakerReason(from, to)})
}

// breakerReason says why a breaker moved from one state to another.
func breakerReason(from, to string) string {
	switch {
	case to == balance.BreakerOpen && from == balance.BreakerHalfOpen:
		return "a probe failed; refusing requests for the cool-down again"
	case to == balance.BreakerOpen:
		return "errors reached the breaker's ratio; refusing requests for the cool-down"
	case to == balance.BreakerHalfOpen:
		return "cool-down over; letting probes through"
	default:
		return "the probes succeeded"
	}
}

// healthChanged is the balance registry's HealthFunc: it names the
// backend from the table in service and publishes the transition.
func (h *eventHub) healthChanged(id uint64, from, to, lastErr string) {
	ref := h.backend(id)
	h.publish(api.Notice{Kind: api.NoticeHealth, Tenant: ref.tenant, Pool: ref.pool, Name: ref.url,
		From: from, To: to, Reason: lastErr})
}

// backend names backend id from the table in service.
func (h *eventHub) backend(id uint64) backendRef {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reindex()
	if ref, ok := h.backends[id]; ok {
		return ref
	}
	return backendRef{url: "backend " + strconv.FormatUint(id, 10)}
}

// tenant names tenant id from the table in service.
func (h *eventHub) tenant(id uint64) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reindex()
	if slug, ok := h.tenants[id]; ok {
		return slug
	}
	return "tenant " + strconv.FormatUint(id, 10)
}

// reindex indexes the table in service if it changed since; h.mu is held.
func (h *eventHub) reindex() {
	var t *route.Table
	if h.table != nil {
		t = h.table() // an atomic load: no lock of the proxy's
	}
	if t == h.idxOf && h.backends != nil {
		return
	}
	h.idxOf, h.backends, h.tenants = t, map[uint64]backendRef{}, map[uint64]string{}
	if t == nil {
		return
	}
	for _, tn := range t.Tenants() {
		h.tenants[tn.ID] = tn.Slug
		for _, p := range tn.Pools() {
			for _, b := range p.Backends {
				h.backends[b.ID] = backendRef{tenant: tn.Slug, pool: p.Name, url: b.URL.Redacted()}
			}
		}
	}
}

package proxy

import (
	"math"
	"net/http"
	"strconv"

	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/appliance/route"
)

// syncBreakers gives every tenant with its breaker on a breaker, keeping
// the state of those that had one.
func (h *Handler) syncBreakers(t *route.Table) {
	confs := map[uint64]balance.BreakerConf{}
	for _, tn := range t.Tenants() {
		if e := tn.Effective; e.Breaker {
			confs[tn.ID] = balance.BreakerConf{ErrorRatio: e.BreakerErrorRatio, Latency: e.BreakerLatency,
				Window: e.BreakerWindow, MinRequests: e.BreakerMinRequests, Cooldown: e.BreakerCooldown, Probes: e.BreakerProbes}
		}
	}
	h.brk.Sync(confs)
}

// breakerStep asks the tenant's breaker whether the request may go on.
// When the breaker is open it has answered 503 with Retry-After and ok is
// false. A tenant without a breaker gets a zero ticket.
func (h *Handler) breakerStep(w http.ResponseWriter, r *http.Request, id string, tn *route.Tenant) (balance.Ticket, bool) {
	b := h.brk.Get(tn.ID)
	if b == nil {
		return balance.Ticket{}, true
	}
	t, ok, wait := b.Allow()
	if ok {
		return t, true
	}
	w.Header().Set("Retry-After", strconv.Itoa(max(int(math.Ceil(wait.Seconds())), 1)))
	writeError(w, r, id, http.StatusServiceUnavailable, "this site's servers are failing; foyer is giving them a moment to recover")
	return balance.Ticket{}, false
}

// Breaker reports tenant id's circuit breaker; false when it has none
// (the breaker is off).
func (h *Handler) Breaker(id uint64) (balance.BreakerState, bool) {
	b := h.brk.Get(id)
	if b == nil {
		return balance.BreakerState{}, false
	}
	return b.State(), true
}

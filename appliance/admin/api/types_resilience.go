package api

import "time"

// Breaker states, as Breaker.State reports them.
const (
	BreakerOff      = "off" // the tenant's breaker is off (policy breaker=off)
	BreakerClosed   = "closed"
	BreakerOpen     = "open"
	BreakerHalfOpen = "half_open"
)

// Breaker is GET /v1/tenants/{slug}/breaker: the runtime state of the
// tenant's circuit breaker over its pool.
type Breaker struct {
	State      string    `json:"state"`              // BreakerOff, BreakerClosed, BreakerOpen or BreakerHalfOpen
	Since      time.Time `json:"since,omitzero"`     // when it entered State
	Requests   int       `json:"requests"`           // outcomes in the sliding window
	ErrorRatio float64   `json:"error_ratio"`        // their share of errors (5xx, unreachable, too slow)
	Cooldown   string    `json:"cooldown,omitempty"` // open: the time left before probes go through
}

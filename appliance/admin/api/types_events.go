package api

import "time"

// EventNotice is the watch stream's line for something that happened
// (GET /v1/watch, the TUI's feed): a domain changed state, a certificate
// was obtained, renewed or evicted, a backend's health changed, a
// tenant's circuit breaker opened or closed. Event is set.
const EventNotice = "event"

// Kinds of Notice.
const (
	NoticeDomain      = "domain"      // a custom domain changed state; Name is the domain
	NoticeCertificate = "certificate" // a certificate was obtained, renewed or evicted; Name is the host name
	NoticeHealth      = "health"      // a backend's health changed; Name is its URL
	NoticeBreaker     = "breaker"     // a tenant's circuit breaker changed state; Name is the tenant
)

// Certificate notices' To.
const (
	CertObtained = "obtained"
	CertRenewed  = "renewed"
	CertEvicted  = "evicted"
)

// Notice is one event of the appliance, as it happened. The daemon keeps
// the last ones in memory (a new watch stream starts with them) and sends
// each to every watcher; a watcher that reads too slowly misses some, and
// the next notice it gets says how many in Dropped.
type Notice struct {
	Time time.Time `json:"time"`
	// Kind is NoticeDomain, NoticeCertificate, NoticeHealth or NoticeBreaker.
	Kind   string `json:"kind"`
	Tenant string `json:"tenant,omitempty"`
	// Pool is the backend's pool (health notices only).
	Pool string `json:"pool,omitempty"`
	// Name is the domain, the certificate's host name, the backend's URL,
	// or the tenant (breaker notices).
	Name string `json:"name"`
	// From and To are the states before and after: domain states
	// (pending_dns, verified, ...), health states (healthy, unhealthy,
	// ejected), breaker states (closed, open, half_open); a certificate
	// notice has only To (obtained, renewed, evicted).
	From string `json:"from,omitempty"`
	To   string `json:"to"`
	// Reason says why (the domain's reason, the backend's last error, a
	// certificate's expiry); Hint what to do, when something is stuck.
	Reason string `json:"reason,omitempty"`
	Hint   string `json:"hint,omitempty"`
	// Dropped is how many notices this watcher missed just before this one
	// because it read too slowly.
	Dropped uint64 `json:"dropped,omitempty"`
}

package api

// TraceRequest is POST /v1/trace: a request for foyer to explain, not to
// send.
type TraceRequest struct {
	URL      string              `json:"url"`                 // absolute http:// or https:// URL
	Method   string              `json:"method,omitempty"`    // default GET
	Headers  map[string][]string `json:"headers,omitempty"`   // as the client would send them
	ClientIP string              `json:"client_ip,omitempty"` // the peer's address; default 127.0.0.1
}

// Trace step verdicts.
const (
	TracePass   = "pass"   // the step lets the request go on
	TraceOff    = "off"    // the tenant does not use this check
	TraceRefuse = "refuse" // the step would answer Status itself
)

// TraceReport is how foyer would handle a TraceRequest now. Nothing was
// sent to a backend and no state changed (no rate-limit token taken, no
// concurrency slot held, no API key use recorded, no rotation moved).
type TraceReport struct {
	Method   string `json:"method"`
	URL      string `json:"url"`
	Host     string `json:"host"` // normalised; "" when it is not a valid host name
	ClientIP string `json:"client_ip"`
	Tenant   string `json:"tenant,omitempty"`
	// Rule is the identification rule that matched: host, slug, alias,
	// path, header, jwt; none when no tenant matched (404).
	Rule      string         `json:"rule"`
	Matched   string         `json:"matched,omitempty"` // what the rule matched (a host, an id-path, a slug)
	Steps     []TraceStep    `json:"steps"`             // in the order the request path runs them
	Pool      string         `json:"pool,omitempty"`
	Algorithm string         `json:"algorithm,omitempty"`
	Backends  []TraceBackend `json:"backends,omitempty"`
	Pick      string         `json:"pick,omitempty"`     // the backend the balancer would pick
	PickWhy   string         `json:"pick_why,omitempty"` // why
	// Exact says Pick is the balancer's next choice as things stand (it
	// is false for least_latency's random choices).
	Exact  bool   `json:"exact"`
	Status int    `json:"status"`           // foyer's own answer; 0: forwarded to Pick
	Reason string `json:"reason,omitempty"` // the refusing step's reason
}

// TraceStep is one step's verdict.
type TraceStep struct {
	Step    string `json:"step"`    // identify, tls, suspended, authenticate, maintenance, redirect, ip, api-key, ip-rate, rate, concurrency, breaker, pick
	Verdict string `json:"verdict"` // TracePass, TraceOff or TraceRefuse
	Status  int    `json:"status,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Detail  string `json:"detail,omitempty"` // what the step read: tokens left, slots held, the key's name
}

// TraceBackend is one backend of the pool as the balancer sees it.
type TraceBackend struct {
	URL      string `json:"url"`
	State    string `json:"state"` // healthy, unhealthy, ejected, drained
	InFlight int64  `json:"in_flight"`
	Weight   int    `json:"weight"`
}

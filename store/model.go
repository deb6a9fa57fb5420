package store

import (
	"encoding/json"
	"fmt"
	"time"
)

// TenantState is whether a tenant's traffic is served.
type TenantState string

// Tenant states.
const (
	TenantActive    TenantState = "active"    // traffic is routed to its backends
	TenantSuspended TenantState = "suspended" // requests get 503 from foyer
)

// Tenant is one customer of the operator.
type Tenant struct {
	ID      uint64      `json:"id"`   // assigned by the store, never reused; keys runtime state
	Slug    string      `json:"slug"` // DNS label; <slug>.<base_domain> routes to it
	Name    string      `json:"name"` // display name; defaults to the slug
	State   TenantState `json:"state"`
	Created time.Time   `json:"created"`
	Updated time.Time   `json:"updated"`
	// Plan names the tenant's Plan; "" is none (the defaults).
	Plan string `json:"plan,omitempty"`
	// Policy holds the tenant's overrides of its plan.
	Policy Policy `json:"policy,omitempty"`
	// Aliases are extra labels under the base domain (<alias>.<base_domain>)
	// that route to the tenant; unique across every tenant's slug and aliases.
	Aliases []string `json:"aliases,omitempty"`
}

// DefaultPool is the pool a backend joins when none is named.
const DefaultPool = "default"

// Algorithm names a balancing algorithm for a pool.
type Algorithm string

// Balancing algorithms, one balance.Selector each (docs/traffic.md says
// when to use which).
const (
	RoundRobin         Algorithm = "round_robin"          // in turn, by weight (smooth); the default
	WeightedRoundRobin Algorithm = "weighted_round_robin" // the same smooth weighted rotation, named for what it does
	LeastConn          Algorithm = "least_conn"           // fewest requests in flight per weight
	LeastLatency       Algorithm = "least_latency"        // lower latency EWMA of two random picks
	IPHash             Algorithm = "ip_hash"              // consistent hash of the client IP
	HeaderHash         Algorithm = "header_hash"          // consistent hash of the HashKey header
	CookieHash         Algorithm = "cookie_hash"          // consistent hash of the HashKey cookie
	First              Algorithm = "first"                // the first usable backend, in the order added
)

// Algorithms lists every algorithm.
var Algorithms = []Algorithm{RoundRobin, WeightedRoundRobin, LeastConn, LeastLatency, IPHash, HeaderHash, CookieHash, First}

// Pool is a named group of backends of one tenant, with its balancing and
// health settings. A zero field means its default (PoolDefaults); active
// health checks are off unless HealthPath is set, passive ejection is off
// when MaxFails is 0.
type Pool struct {
	ID        uint64    `json:"id"`
	Tenant    string    `json:"tenant"` // tenant slug
	Name      string    `json:"name"`
	Algorithm Algorithm `json:"algorithm"`
	// HashKey is the header (header_hash) or cookie (cookie_hash) hashed.
	HashKey string `json:"hash_key,omitempty"`
	// Sticky pins a client to the backend named in a signed cookie while it is usable.
	Sticky bool `json:"sticky,omitempty"`

	// HealthPath turns active checks on: GET backend URL + path. Default off.
	HealthPath string `json:"health_path,omitempty"`
	// HealthInterval is the time between checks; default 10s.
	HealthInterval Duration `json:"health_interval,omitempty"`
	// HealthTimeout bounds one check; default 2s, at most HealthInterval.
	HealthTimeout Duration `json:"health_timeout,omitempty"`
	// HealthStatus is the status range a healthy answer has; default "200-399".
	HealthStatus string `json:"health_status,omitempty"`
	// HealthyThreshold is how many passes in a row bring a backend back; default 2.
	HealthyThreshold int `json:"healthy_threshold,omitempty"`
	// UnhealthyThreshold is how many failures in a row take it out; default 3.
	UnhealthyThreshold int `json:"unhealthy_threshold,omitempty"`

	// MaxFails consecutive failures (connect errors, 5xx) eject a backend; 0 = off.
	MaxFails int `json:"max_fails,omitempty"`
	// Cooldown is the first ejection's length, doubled on each repeat up to
	// 32 times; default 10s.
	Cooldown Duration `json:"cooldown,omitempty"`
	// SlowStart ramps a recovered backend's share up over this time; 0 = off.
	SlowStart Duration `json:"slow_start,omitempty"`
}

// Backend is one upstream server of a pool.
type Backend struct {
	ID      uint64    `json:"id"`
	Tenant  string    `json:"tenant"`
	Pool    string    `json:"pool"`
	URL     string    `json:"url"`    // http:// or https://, host and port, optional path
	Weight  int       `json:"weight"` // 1..1000, default 1
	Created time.Time `json:"created"`
	// Drained backends get no new requests; those in flight finish.
	Drained bool `json:"drained,omitempty"`
}

// DomainState is the one lifecycle enum used by the CLI, TUI and API.
type DomainState string

// Domain states (DESIGN.md): pending_dns -> verified -> issuing -> active,
// plus failed, expiring (renewal failing), moved (no longer points here;
// renewals paused) and suspended (its tenant is suspended; renewals
// paused). The domain verifier in package appliance sets them.
const (
	DomainPendingDNS DomainState = "pending_dns"
	DomainVerified   DomainState = "verified"
	DomainIssuing    DomainState = "issuing"
	DomainActive     DomainState = "active"
	DomainFailed     DomainState = "failed"
	DomainExpiring   DomainState = "expiring"
	DomainMoved      DomainState = "moved"
	DomainSuspended  DomainState = "suspended"
)

// DomainStates lists every state, in lifecycle order.
var DomainStates = []DomainState{DomainPendingDNS, DomainVerified, DomainIssuing,
	DomainActive, DomainFailed, DomainExpiring, DomainMoved, DomainSuspended}

// Domain is a tenant's custom domain (a host outside the base domain).
type Domain struct {
	Name   string      `json:"name"`   // normalised host name
	Tenant string      `json:"tenant"` // tenant slug
	State  DomainState `json:"state"`
	Reason string      `json:"reason,omitempty"` // why it is in this state
	Hint   string      `json:"hint,omitempty"`   // the next step for a person
	// Token proves ownership: the TXT record _foyer-challenge.<Name>
	// carries it, and the HTTP self-test fetches it. Set by AddDomain.
	Token string `json:"token,omitempty"`
	// NotAfter is the expiry of the certificate issued for it, once active.
	NotAfter time.Time `json:"not_after,omitzero"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

// Certificate is a certificate the operator imported (as opposed to one
// certmagic obtained). Name is the host it was imported for; a wildcard
// "*.example.com" covers one label below example.com.
type Certificate struct {
	Name      string    `json:"name"`
	Names     []string  `json:"names"`    // the leaf's DNS SANs
	CertPEM   string    `json:"cert_pem"` // leaf first, then intermediates
	KeyPEM    string    `json:"key_pem"`  // never logged, never listed over the API
	Issuer    string    `json:"issuer"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	Created   time.Time `json:"created"`
}

// Entry is one audit record: who changed what, when. It is written in the
// same transaction as the change it describes.
type Entry struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`   // e.g. "uid 0 (root) via admin.sock"
	Actions []string  `json:"actions"` // e.g. "tenant.create acme"
}

// Snapshot is the whole configuration at one revision, read in one
// transaction. The appliance builds its route table from it.
type Snapshot struct {
	Revision uint64    `json:"revision"`
	Settings Settings  `json:"settings"`
	Tenants  []Tenant  `json:"tenants"`
	Pools    []Pool    `json:"pools"`
	Backends []Backend `json:"backends"`
	Domains  []Domain  `json:"domains"`
	// CertCount is the number of imported certificates, and
	// CertsRevision changes whenever one is imported or removed: the
	// certificates themselves are not in a snapshot (read them with
	// ListCerts only when CertsRevision moved; with thousands of them,
	// decoding all on every change would cost more than the change).
	CertCount     int      `json:"cert_count"`
	CertsRevision uint64   `json:"certs_revision"`
	Plans         []Plan   `json:"plans"`
	APIKeys       []APIKey `json:"api_keys"`
	JWTKeys       []JWTKey `json:"jwt_keys"`
}

// Duration is a time.Duration that reads and writes as "10s" in JSON.
type Duration time.Duration

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes d as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a Go duration string such as "1m30s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"10s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

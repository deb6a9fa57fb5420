// Package api holds the admin API's JSON wire types and the Go client that
// the CLI, the TUI and ops use to talk to a running foyer over its unix
// socket. It imports only the standard library, so a client never links the
// daemon.
//
// Resources live under /v1/. Errors are {"error","hint","field"} with an
// HTTP status: 404 not found, 409 exists or conflict, 422 invalid,
// 423 locked, 403 forbidden, 400 malformed request.
package api

import "time"

// Status is GET /v1/status.
type Status struct {
	Version       string            `json:"version"`
	Commit        string            `json:"commit"`
	Started       time.Time         `json:"started"`
	UptimeSeconds float64           `json:"uptime_seconds"`
	Listeners     map[string]string `json:"listeners"`      // "http", "https", "ops" -> bound address
	Revision      uint64            `json:"revision"`       // store's configuration revision
	TableRevision uint64            `json:"table_revision"` // revision the route table in service was built from
	TableError    string            `json:"table_error,omitempty"`
	Counts        Counts            `json:"counts"`
	DataDir       string            `json:"data_dir"`
}

// Counts are the sizes of the configuration.
type Counts struct {
	Tenants  int `json:"tenants"`
	Backends int `json:"backends"`
	Domains  int `json:"domains"`
	Certs    int `json:"certs"`
}

// Setting is one key of the settings record.
type Setting struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Doc   string `json:"doc"`
}

// SetSettingRequest is PUT /v1/settings/{key}.
type SetSettingRequest struct {
	Value string `json:"value"`
}

// Tenant is a tenant as the API shows it.
type Tenant struct {
	ID      uint64    `json:"id"`
	Slug    string    `json:"slug"`
	Name    string    `json:"name"`
	State   string    `json:"state"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// TenantDetail is GET /v1/tenants/{slug}.
type TenantDetail struct {
	Tenant
	Pools    []Pool    `json:"pools"`
	Backends []Backend `json:"backends"`
	Domains  []Domain  `json:"domains"`
	Hosts    []string  `json:"hosts"` // every host that routes to it
}

// CreateTenantRequest is POST /v1/tenants.
type CreateTenantRequest struct {
	Slug string `json:"slug"`
	Name string `json:"name,omitempty"`
}

// UpdateTenantRequest is PATCH /v1/tenants/{slug}; nil fields are kept.
type UpdateTenantRequest struct {
	Name  *string `json:"name,omitempty"`
	State *string `json:"state,omitempty"`
}

// Pool is a named group of a tenant's backends with its balancing and
// health settings (durations as Go duration strings, e.g. "10s").
type Pool struct {
	Name               string `json:"name"`
	Algorithm          string `json:"algorithm"`
	HashKey            string `json:"hash_key,omitempty"`
	Sticky             bool   `json:"sticky"`
	HealthPath         string `json:"health_path,omitempty"` // "" = active checks off
	HealthInterval     string `json:"health_interval,omitempty"`
	HealthTimeout      string `json:"health_timeout,omitempty"`
	HealthStatus       string `json:"health_status,omitempty"`
	HealthyThreshold   int    `json:"healthy_threshold,omitempty"`
	UnhealthyThreshold int    `json:"unhealthy_threshold,omitempty"`
	MaxFails           int    `json:"max_fails"` // 0 = passive ejection off
	Cooldown           string `json:"cooldown,omitempty"`
	SlowStart          string `json:"slow_start,omitempty"` // "" or "0s" = off
}

// Backend is one upstream of a pool.
type Backend struct {
	ID      uint64    `json:"id"`
	Tenant  string    `json:"tenant"`
	Pool    string    `json:"pool"`
	URL     string    `json:"url"`
	Weight  int       `json:"weight"`
	Created time.Time `json:"created"`
	Drained bool      `json:"drained"`
	// Health is healthy, unhealthy (active checks), ejected (passive),
	// draining, or unknown (no runtime state, e.g. not in service yet).
	Health    string     `json:"health"`
	LastError string     `json:"last_error,omitempty"`
	Changed   *time.Time `json:"changed,omitempty"` // when Health last changed
	InFlight  int64      `json:"in_flight"`
}

// AddBackendRequest is POST /v1/tenants/{slug}/pools/{pool}/backends.
type AddBackendRequest struct {
	URL    string `json:"url"`
	Weight int    `json:"weight,omitempty"`
}

// Domain is a tenant's custom domain and where it is in its lifecycle.
type Domain struct {
	Name   string `json:"name"`
	Tenant string `json:"tenant"`
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
	Hint   string `json:"hint,omitempty"`
	// Token is the ownership token: the TXT record _foyer-challenge.<Name>
	// may carry it to verify the domain before its DNS points here.
	Token string `json:"token,omitempty"`
	// NotAfter is the issued certificate's expiry, once active.
	NotAfter time.Time `json:"not_after,omitzero"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	// Setup is what to set in DNS, filled in by `domain add`.
	Setup *DomainSetup `json:"setup,omitempty"`
}

// DomainSetup is the DNS records that make a custom domain point here.
type DomainSetup struct {
	CNAME     string   `json:"cname,omitempty"`     // the CNAME target
	Addresses []string `json:"addresses,omitempty"` // A/AAAA alternatives
	TXTName   string   `json:"txt_name"`            // _foyer-challenge.<domain>
	TXTValue  string   `json:"txt_value"`           // the token
}

// DomainCheck is POST /v1/domains/{name}/check: the live checks and the
// domain as they left it.
type DomainCheck struct {
	Domain   Domain      `json:"domain"`
	Resolver string      `json:"resolver"` // the DNS server asked
	Checks   []CheckLine `json:"checks"`
	Verified bool        `json:"verified"`
}

// CheckLine is one check of a domain: cname, a, aaaa, txt, caa or http.
type CheckLine struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
	Hint   string `json:"hint,omitempty"`
}

// AddDomainRequest is POST /v1/tenants/{slug}/domains.
type AddDomainRequest struct {
	Name string `json:"name"`
}

// Cert is a certificate foyer serves: imported by the operator or
// obtained (ACME, internal CA); the private key never leaves the daemon.
type Cert struct {
	Name      string    `json:"name"`
	Names     []string  `json:"names"`
	Issuer    string    `json:"issuer"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// Created is when an imported certificate was imported.
	Created time.Time `json:"created,omitzero"`
	// Source is "imported", "acme" or "internal".
	Source string `json:"source"`
	// Renewal says whether and when foyer renews it, or why it does not.
	Renewal string `json:"renewal"`
	// Cached says whether it is in the serving cache now (obtained
	// certificates are loaded on first use).
	Cached bool `json:"cached"`
}

// CertBudget is one registered domain's use of the CA's weekly limit
// (GET /v1/certs/budget); Issued counts renewals too, an upper bound.
type CertBudget struct {
	RegisteredDomain string `json:"registered_domain"`
	Issued           int    `json:"issued"`
	Limit            int    `json:"limit"`
}

// AddCertRequest is POST /v1/certs. The CLI reads the operator's files and
// sends their content: the daemon never reads an operator's path.
type AddCertRequest struct {
	Name    string `json:"name"`
	CertPEM string `json:"cert_pem"`
	KeyPEM  string `json:"key_pem"`
}

// AuditEntry is one audit record.
type AuditEntry struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Actor   string    `json:"actor"`
	Actions []string  `json:"actions"`
}

// List is a page of a list endpoint. Next is the cursor for the following
// page, empty on the last one.
type List[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// Event types of GET /v1/watch. Later issues add types, not streams.
const (
	EventConfig = "config" // the configuration changed; Rev is the new revision
)

// Event is one NDJSON line of GET /v1/watch.
type Event struct {
	Type string `json:"type"`
	Rev  uint64 `json:"rev"`
	// Stats is set on stats lines (EventStats, types_stats.go).
	Stats *Stats `json:"stats,omitempty"`
	// Event is set on event lines (EventNotice, types_events.go).
	Event *Notice `json:"event,omitempty"`
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error string `json:"error"`
	Hint  string `json:"hint,omitempty"`
	Field string `json:"field,omitempty"`
}

package api

import "time"

// FollowRecord is one NDJSON line of GET /v1/logs/follow: a request as the
// access log records it (the same fields as `foyer logs --json`), sent as
// the daemon's batch writer sees it.
type FollowRecord struct {
	Time            time.Time     `json:"time"`
	Tenant          string        `json:"tenant"`
	RequestID       string        `json:"request_id"`
	ClientIP        string        `json:"client_ip"`
	Method          string        `json:"method"`
	Host            string        `json:"host"`
	Path            string        `json:"path"`
	Status          int           `json:"status"`
	BytesIn         int64         `json:"bytes_in"`
	BytesOut        int64         `json:"bytes_out"`
	Duration        time.Duration `json:"duration_ns"`
	Upstream        string        `json:"upstream,omitempty"`
	UpstreamLatency time.Duration `json:"upstream_latency_ns,omitempty"`
	TLSVersion      string        `json:"tls_version,omitempty"`
	SNI             string        `json:"sni,omitempty"`
	Outcome         string        `json:"outcome"`
	// Dropped is how many records this stream missed just before this
	// one because the client read too slowly (the daemon never waits for
	// a follower). 0 when none.
	Dropped uint64 `json:"dropped,omitempty"`
}

// FollowQuery filters GET /v1/logs/follow.
type FollowQuery struct {
	// Tenant is a slug; "" follows every tenant.
	Tenant string
	// Status is "" (every status), a class such as "5xx", or an exact
	// status such as "404".
	Status string
}

package api

import "time"

// LogRecord is one access-log record of GET /v1/logs, as `foyer logs
// --json` prints it (the fields of FollowRecord, without Dropped).
type LogRecord struct {
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
}

// LogsQuery selects the records of GET /v1/logs, newest first.
type LogsQuery struct {
	// Tenant is a slug; "" means every tenant.
	Tenant string
	// Status is "" (every status) or a class such as "5xx".
	Status string
	// Since is a duration back from now ("10m", "2h") or an RFC 3339
	// time; "" means no bound.
	Since string
	// Limit caps the records; 0 means 100, the most is 10,000.
	Limit int
}

// UsageRow is one row of GET /v1/usage: a tenant's traffic over one
// period, with latency percentiles from the period's merged histogram.
type UsageRow struct {
	Tenant   string    `json:"tenant"`
	Start    time.Time `json:"start"`
	Span     string    `json:"span"` // "hour" or "day" (or "minute")
	Requests int64     `json:"requests"`
	// Errors counts 5xx answers.
	Errors   int64         `json:"errors"`
	BytesIn  int64         `json:"bytes_in"`
	BytesOut int64         `json:"bytes_out"`
	P50      time.Duration `json:"p50_ns"`
	P90      time.Duration `json:"p90_ns"`
	P99      time.Duration `json:"p99_ns"`
}

// UsageQuery selects the rows of GET /v1/usage.
type UsageQuery struct {
	// Tenant is a slug; "" means every tenant.
	Tenant string
	// From and To bound the periods' starts: a date (2026-03-01, UTC) or
	// an RFC 3339 time. From is inclusive; To is exclusive for a time and
	// takes in the whole day for a date. From "" means the first day of
	// the current month (UTC); To "" means no bound.
	From, To string
	// Span is "hour" or "day" (the default), or "minute" for the last day.
	Span string
}

package store

import (
	"context"
	"time"
)

// LogRecord is one request as the access log keeps it. Tenant is the
// tenant's slug, or "" when no tenant matched the request.
type LogRecord struct {
	Time      time.Time `json:"time"`
	Tenant    string    `json:"tenant"`
	RequestID string    `json:"request_id"`
	ClientIP  string    `json:"client_ip"`
	Method    string    `json:"method"`
	Host      string    `json:"host"`
	Path      string    `json:"path"`
	Status    int       `json:"status"`
	BytesIn   int64     `json:"bytes_in"`
	BytesOut  int64     `json:"bytes_out"`
	// Duration is from the request head read to the response's end.
	Duration time.Duration `json:"duration_ns"`
	// Upstream is the backend's URL, "" when none was picked.
	Upstream        string        `json:"upstream,omitempty"`
	UpstreamLatency time.Duration `json:"upstream_latency_ns,omitempty"`
	// TLSVersion is "1.2" or "1.3", "" for plain HTTP; SNI the name the
	// client asked for.
	TLSVersion string `json:"tls_version,omitempty"`
	SNI        string `json:"sni,omitempty"`
	// Outcome is the policy's verdict: one of the Outcome* constants.
	Outcome string `json:"outcome"`
}

// The policy outcomes a LogRecord carries.
const (
	OutcomeAllowed      = "allowed"
	OutcomeRateLimited  = "rate_limited"  // 429 from a rate limit
	OutcomeOverloaded   = "overloaded"    // 503 from max-in-flight/queue
	OutcomeDeniedIP     = "denied_ip"     // 403 from allow/deny rules
	OutcomeUnauthorized = "unauthorized"  // 401 missing or bad API key / JWT
	OutcomeTooLarge     = "too_large"     // 413 max-body
	OutcomeMaintenance  = "maintenance"   // 503 maintenance mode
	OutcomeRedirect     = "redirect"      // the tenant's redirect rule
	OutcomeUnknownHost  = "unknown_host"  // 404 no tenant
	OutcomeSuspended    = "suspended"     // 503 suspended tenant
	OutcomeBreakerOpen  = "breaker_open"  // 503 circuit breaker open
	OutcomeNoBackend    = "no_backend"    // 503 no healthy backend
	OutcomeUpstreamFail = "upstream_fail" // 502/504 from the forward step
)

// LogQuery selects access-log records, newest first.
type LogQuery struct {
	// Tenant is a slug; "" means every tenant.
	Tenant string
	// Since and Until bound Time (Since inclusive, Until exclusive); zero
	// means unbounded.
	Since, Until time.Time
	// StatusClass keeps only statuses in [StatusClass*100,
	// StatusClass*100+99]; 0 keeps all.
	StatusClass int
	// Limit caps the records returned; 0 means 100.
	Limit int
}

// Retention bounds the access log. A zero field is no bound.
type Retention struct {
	MaxAge       time.Duration
	MaxPerTenant int
	MaxBytes     int64
}

// LogsInfo describes the access log's size.
type LogsInfo struct {
	Records int64 `json:"records"`
	Bytes   int64 `json:"bytes"` // the file's size
}

// PruneResult says what one Prune pass removed.
type PruneResult struct {
	Removed int64 `json:"removed"`
}

// Logs is the access log, kept apart from the configuration (its own
// file, logs.db, for boltstore): large, disposable, node-local. Safe for
// concurrent use.
type Logs interface {
	// AppendLogs writes a batch in one transaction.
	AppendLogs(ctx context.Context, recs []LogRecord) error
	// QueryLogs returns the records q selects, newest first. A query for
	// one tenant is a cursor seek on that tenant's keys.
	QueryLogs(ctx context.Context, q LogQuery) ([]LogRecord, error)
	// PruneLogs removes what r no longer allows as of now, in small
	// transactions so AppendLogs is never stalled for long.
	PruneLogs(ctx context.Context, r Retention, now time.Time) (PruneResult, error)
	// LogsInfo reports the record count and file size.
	LogsInfo(ctx context.Context) (LogsInfo, error)
	// Close releases the log.
	Close() error
}

// UsageSpan is the length of a usage row's period.
type UsageSpan string

// Usage rows are kept per minute, compacted to hours, then days.
const (
	SpanMinute UsageSpan = "minute"
	SpanHour   UsageSpan = "hour"
	SpanDay    UsageSpan = "day"
)

// UsageRow is one tenant's traffic over one period.
type UsageRow struct {
	Tenant   string    `json:"tenant"`
	Start    time.Time `json:"start"`
	Span     UsageSpan `json:"span"`
	Requests int64     `json:"requests"`
	// Errors counts 5xx answers.
	Errors   int64 `json:"errors"`
	BytesIn  int64 `json:"bytes_in"`
	BytesOut int64 `json:"bytes_out"`
	// Latency is the distribution of request durations, mergeable across
	// rows; its percentiles are what `foyer usage` shows.
	Latency Histogram `json:"latency"`
}

// UsageQuery selects usage rows.
type UsageQuery struct {
	Tenant      string // "" means every tenant
	From, Until time.Time
	// Span is the granularity wanted; rows of a finer span are merged up
	// to it. "" means day.
	Span UsageSpan
}

// Usage is the usage rollup store, in foyer.db with the configuration (a
// backup carries it), but its writes bump no revision and write no audit
// entry, like Blobs.
type Usage interface {
	// AddUsage merges minute rows into the store in one transaction
	// (a row for a minute already stored is added to it).
	AddUsage(ctx context.Context, rows []UsageRow) error
	// QueryUsage returns the rows q selects, by tenant then start.
	QueryUsage(ctx context.Context, q UsageQuery) ([]UsageRow, error)
	// CompactUsage folds minute rows older than a day into hours, hours
	// older than 30 days into days, and drops days older than keep.
	CompactUsage(ctx context.Context, now time.Time, keep time.Duration) error
}

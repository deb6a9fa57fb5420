package api

import "time"

// EventStats is the watch stream's line of live numbers: one a second,
// with Stats set.
const EventStats = "stats"

// Stats is every active tenant's live numbers at one moment (GET
// /v1/stats, and the watch stream's stats lines). A tenant is active with
// a request in the last five minutes or one in flight.
type Stats struct {
	Time    time.Time     `json:"time"`
	Tenants []TenantStats `json:"tenants"`
}

// TenantStats is one tenant's live numbers. Rates count the complete
// seconds before Stats.Time; percentiles the last minute (whole ten-second
// slots, so 60 to 70 s). Tenant "" is requests that matched no tenant.
type TenantStats struct {
	Tenant string `json:"tenant"`
	// Rate1, Rate10 and Rate60 are requests per second over the last 1,
	// 10 and 60 seconds.
	Rate1  float64 `json:"rate_1s"`
	Rate10 float64 `json:"rate_10s"`
	Rate60 float64 `json:"rate_60s"`
	// ErrorRatio is the share of the last minute's requests answered 5xx
	// or not answered by the upstream (0..1).
	ErrorRatio float64       `json:"error_ratio"`
	P50        time.Duration `json:"p50_ns"`
	P90        time.Duration `json:"p90_ns"`
	P99        time.Duration `json:"p99_ns"`
	// BytesInRate and BytesOutRate are bytes per second over the last 10 s.
	BytesInRate  float64 `json:"bytes_in_rate"`
	BytesOutRate float64 `json:"bytes_out_rate"`
	InFlight     int64   `json:"in_flight"`
	// The rest count since the daemon started.
	Requests uint64 `json:"requests"`
	// Status counts answers by status/100: [1] is 1xx ... [5] 5xx; [0]
	// requests with no status.
	Status         [6]uint64      `json:"status"`
	BytesIn        uint64         `json:"bytes_in"`
	BytesOut       uint64         `json:"bytes_out"`
	RateLimited    uint64         `json:"rate_limited"`
	Rejected       uint64         `json:"rejected"`
	UpstreamErrors uint64         `json:"upstream_errors"`
	Backends       []BackendStats `json:"backends,omitempty"`
}

// BackendStats is one upstream's numbers for one tenant since the daemon
// started.
type BackendStats struct {
	URL         string        `json:"url"`
	Requests    uint64        `json:"requests"`
	Errors      uint64        `json:"errors"`
	MeanLatency time.Duration `json:"mean_latency_ns"`
}

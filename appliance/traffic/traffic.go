// Package traffic is the proxy's record step: live per-tenant counters
// and Prometheus metrics (live.go, metrics.go), and the access log's
// bounded queue and batch writer with usage rollups (accesslog.go,
// usage.go). The proxy reports every finished request once, through
// Recorder.Record; nothing here blocks a request or takes a lock shared
// by all tenants.
package traffic

import "github.com/foyerhq/foyer/store"

// Recorder fans a finished request out to the live counters and the
// access log. A nil field is skipped; the zero Recorder records nothing.
type Recorder struct {
	// Live keeps per-tenant counters and metrics (live.go).
	Live *Live
	// Log queues records for logs.db and usage rollups (accesslog.go).
	Log *AccessLog
}

// Record reports one finished request. rec is not retained: the
// recorder copies what it keeps, so the caller may reuse it.
func (r *Recorder) Record(rec *store.LogRecord) {
	if r.Live != nil {
		r.Live.Observe(rec)
	}
	if r.Log != nil {
		r.Log.Enqueue(rec)
	}
}

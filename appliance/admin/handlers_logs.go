package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// maxLogsLimit caps the records of one GET /v1/logs.
const maxLogsLimit = 10_000

// listLogs is GET /v1/logs?tenant=&status=&since=&limit=: the stored
// access-log records, newest first. Without an open access log (a server
// with no logs.db) it answers 503.
func (s *Server) listLogs(w http.ResponseWriter, r *http.Request) error {
	if s.logs == nil {
		writeJSON(w, http.StatusServiceUnavailable, api.ErrorBody{Error: "access log not open",
			Hint: "the access log is read from the running daemon (foyer serve), which opens logs.db in its data directory"})
		return nil
	}
	q, err := logsQuery(r.URL.Query(), s.now())
	if err != nil {
		return err
	}
	recs, err := s.logs.QueryLogs(r.Context(), q)
	if err != nil {
		return fmt.Errorf("reading access log: %w", err)
	}
	writeJSON(w, http.StatusOK, mapSlice(recs, apiLogRecord))
	return nil
}

// logsQuery reads the parameters of GET /v1/logs.
func logsQuery(v url.Values, now time.Time) (store.LogQuery, error) {
	q := store.LogQuery{Tenant: v.Get("tenant"), Limit: 100}
	if st := strings.ToLower(strings.TrimSpace(v.Get("status"))); st != "" {
		if len(st) != 3 || !strings.HasSuffix(st, "xx") || st[0] < '1' || st[0] > '5' {
			return q, errorf(errBadRequest, "status", "use a class: 2xx, 3xx, 4xx or 5xx (foyer logs --follow also takes an exact status)",
				"status %q is not a status class", v.Get("status"))
		}
		q.StatusClass = int(st[0] - '0')
	}
	if since := strings.TrimSpace(v.Get("since")); since != "" {
		t, err := parseSince(since, now)
		if err != nil {
			return q, err
		}
		q.Since = t
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return q, errorf(errBadRequest, "limit", "give a whole number from 1 to 10000", "limit %q is not a whole number", l)
		}
		if n > 0 {
			q.Limit = min(n, maxLogsLimit)
		}
	}
	return q, nil
}

// parseSince reads a duration back from now ("10m") or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, errorf(errBadRequest, "since", "give a duration such as 10m or 2h, or a time such as 2026-03-01T12:00:00Z",
		"since %q is neither a duration nor a time", s)
}

// apiLogRecord is rec on the wire.
func apiLogRecord(rec store.LogRecord) api.LogRecord {
	return api.LogRecord{Time: rec.Time, Tenant: rec.Tenant, RequestID: rec.RequestID, ClientIP: rec.ClientIP,
		Method: rec.Method, Host: rec.Host, Path: rec.Path, Status: rec.Status, BytesIn: rec.BytesIn,
		BytesOut: rec.BytesOut, Duration: rec.Duration, Upstream: rec.Upstream, UpstreamLatency: rec.UpstreamLatency,
		TLSVersion: rec.TLSVersion, SNI: rec.SNI, Outcome: rec.Outcome}
}

package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// listUsage is GET /v1/usage?tenant=&from=&to=&span=: usage rows by
// tenant then start, with p50/p90/p99 from each row's histogram.
func (s *Server) listUsage(w http.ResponseWriter, r *http.Request) error {
	q, err := usageQuery(r.URL.Query(), s.now())
	if err != nil {
		return err
	}
	rows, err := s.store.QueryUsage(r.Context(), q)
	if err != nil {
		return fmt.Errorf("reading usage: %w", err)
	}
	writeJSON(w, http.StatusOK, mapSlice(rows, apiUsageRow))
	return nil
}

// usageQuery reads the parameters of GET /v1/usage (api.UsageQuery says
// what they mean).
func usageQuery(v url.Values, now time.Time) (store.UsageQuery, error) {
	q := store.UsageQuery{Tenant: v.Get("tenant"), Span: store.UsageSpan(strings.ToLower(v.Get("span")))}
	switch q.Span {
	case "", store.SpanMinute, store.SpanHour, store.SpanDay:
	default:
		return q, errorf(errBadRequest, "span", "use hour or day", "span %q is not hour or day", v.Get("span"))
	}
	now = now.UTC()
	q.From = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if s := v.Get("from"); s != "" {
		t, _, err := parseUsageTime("from", s)
		if err != nil {
			return q, err
		}
		q.From = t
	}
	if s := v.Get("to"); s != "" {
		t, date, err := parseUsageTime("to", s)
		if err != nil {
			return q, err
		}
		if date { // a date takes in its whole day
			t = t.AddDate(0, 0, 1)
		}
		q.Until = t
	}
	if !q.Until.IsZero() && !q.Until.After(q.From) {
		return q, errorf(errBadRequest, "to", "give a to after from", "to %s is not after from %s",
			q.Until.Format(time.RFC3339), q.From.Format(time.RFC3339))
	}
	return q, nil
}

// parseUsageTime reads a date (UTC midnight; date is true) or an RFC 3339 time.
func parseUsageTime(field, s string) (t time.Time, date bool, err error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, false, nil
	}
	return time.Time{}, false, errorf(errBadRequest, field, "give a date such as 2026-03-01 or a time such as 2026-03-01T12:00:00Z",
		"%s %q is neither a date nor a time", field, s)
}

// apiUsageRow is r on the wire, its histogram read as percentiles.
func apiUsageRow(r store.UsageRow) api.UsageRow {
	return api.UsageRow{Tenant: r.Tenant, Start: r.Start, Span: string(r.Span), Requests: r.Requests,
		Errors: r.Errors, BytesIn: r.BytesIn, BytesOut: r.BytesOut,
		P50: r.Latency.Quantile(0.50), P90: r.Latency.Quantile(0.90), P99: r.Latency.Quantile(0.99)}
}

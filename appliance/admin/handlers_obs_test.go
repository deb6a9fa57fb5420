package admin

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// obsNow is the server clock of these tests.
var obsNow = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

func TestLogsNotOpen(t *testing.T) {
	// Ensure that GET /v1/logs on a server without an access log answers
	// 503 "access log not open" with a hint.
	h := newHarness(t, nil).serve()
	_, err := h.client.Logs(t.Context(), api.LogsQuery{})
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || ae.Msg != "access log not open" || ae.Hint == "" {
		t.Fatalf("GET /v1/logs without logs.db: %v; want 503 access log not open, with a hint", err)
	}
}

func TestLogs(t *testing.T) {
	// Ensure that GET /v1/logs filters by tenant, status class, since (a
	// duration back from the server's clock) and limit, newest first, and
	// refuses a malformed parameter with 400 naming it.
	logs := memstore.NewLogs()
	t.Cleanup(func() { _ = logs.Close() })
	h := newHarness(t, func(o *Options) { o.Logs, o.Now = logs, func() time.Time { return obsNow } }).serve()
	var recs []store.LogRecord
	for i := range 40 { // one a minute, the newest a minute before obsNow
		recs = append(recs, store.LogRecord{Time: obsNow.Add(time.Duration(i-40) * time.Minute), Tenant: []string{"a", "b"}[i%2],
			RequestID: fmt.Sprintf("r%d.", i), Method: "GET", Path: "/", Status: []int{200, 503, 404, 200}[i%4], Outcome: store.OutcomeAllowed})
	}
	if err := logs.AppendLogs(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	ids := func(q api.LogsQuery) string {
		t.Helper()
		got, err := h.client.Logs(t.Context(), q)
		if err != nil {
			t.Fatalf("Logs %+v: %v", q, err)
		}
		out := ""
		for _, r := range got {
			out += r.RequestID
		}
		return out
	}
	for _, c := range []struct {
		q    api.LogsQuery
		want string
	}{
		{api.LogsQuery{Limit: 3}, "r39.r38.r37."},
		{api.LogsQuery{Tenant: "a", Since: "6m"}, "r38.r36.r34."},
		{api.LogsQuery{Status: "5xx", Since: "10m"}, "r37.r33."},
		{api.LogsQuery{Tenant: "b", Status: "5XX", Limit: 2}, "r37.r33."},
		{api.LogsQuery{Since: obsNow.Add(-2 * time.Minute).Format(time.RFC3339)}, "r39.r38."},
	} {
		if got := ids(c.q); got != c.want {
			t.Errorf("Logs %+v: got %q, want %q", c.q, got, c.want)
		}
	}
	for _, q := range []api.LogsQuery{{Status: "404"}, {Since: "yesterday"}, {Status: "9xx"}} {
		_, err := h.client.Logs(t.Context(), q)
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Hint == "" {
			t.Errorf("Logs %+v: %v; want 400 with a hint", q, err)
		}
	}
}

func TestUsage(t *testing.T) {
	// Ensure that GET /v1/usage merges minutes into the span asked, takes a
	// whole day for a date "to", defaults "from" to the start of the month,
	// reads percentiles from the histogram, and refuses a bad span.
	h := newHarness(t, func(o *Options) { o.Now = func() time.Time { return obsNow } }).serve()
	row := func(tenant string, at time.Time, n int64, d time.Duration) store.UsageRow {
		r := store.UsageRow{Tenant: tenant, Start: at, Requests: n, Errors: 1, BytesIn: 10 * n, BytesOut: 100 * n}
		for range n {
			r.Latency.Observe(d)
		}
		return r
	}
	feb := time.Date(2026, 2, 28, 23, 59, 0, 0, time.UTC)
	mar1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	mar2 := time.Date(2026, 3, 2, 23, 59, 0, 0, time.UTC)
	err := h.store.AddUsage(t.Context(), []store.UsageRow{row("acme", feb, 5, time.Millisecond),
		row("acme", mar1, 90, 10*time.Millisecond), row("acme", mar1.Add(time.Minute), 10, time.Second),
		row("acme", mar2, 4, time.Millisecond), row("zeta", mar1, 1, time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := h.client.Usage(t.Context(), api.UsageQuery{Tenant: "acme"})
	if err != nil {
		t.Fatalf("Usage: %v", err)
	}
	if len(rows) != 2 || rows[0].Requests != 100 || rows[0].Errors != 2 || rows[0].BytesOut != 10000 || rows[1].Requests != 4 {
		t.Fatalf("acme by day from March 1st: %+v", rows)
	}
	if p := rows[0].P50; p < 7*time.Millisecond || p > 13*time.Millisecond {
		t.Errorf("p50 = %v, want about 10ms", p)
	}
	if p := rows[0].P99; p < 750*time.Millisecond || p > 1250*time.Millisecond {
		t.Errorf("p99 = %v, want about 1s", p)
	}
	rows, err = h.client.Usage(t.Context(), api.UsageQuery{From: "2026-02-01", To: "2026-03-01", Span: "hour"})
	if err != nil {
		t.Fatalf("Usage: %v", err)
	}
	if len(rows) != 3 || rows[0].Span != "hour" || rows[0].Requests != 5 || rows[1].Requests != 100 || rows[2].Tenant != "zeta" {
		t.Errorf("by hour, February 1st to March 1st inclusive: %+v", rows)
	}
	for _, q := range []api.UsageQuery{{Span: "week"}, {From: "March"}, {From: "2026-03-02", To: "2026-03-01T00:00:00Z"}} {
		_, err := h.client.Usage(t.Context(), q)
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
			t.Errorf("Usage %+v: %v; want 400", q, err)
		}
	}
}

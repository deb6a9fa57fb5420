package main

import (
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// Ensure that `foyer usage` shows each tenant's days or hours as a table,
// CSV with a header (for a monthly invoice) or JSON, that --to DATE takes
// in that whole day, and that bad flags are refused.
func TestUsageCommand(t *testing.T) {
	f := newCLIFixture(t)
	row := func(tenant string, at time.Time, n int64, d time.Duration) store.UsageRow {
		r := store.UsageRow{Tenant: tenant, Start: at, Requests: n, Errors: n / 10, BytesIn: 100 * n, BytesOut: 2000 * n}
		for range n {
			r.Latency.Observe(d)
		}
		return r
	}
	jan1 := time.Date(2025, 1, 1, 9, 30, 0, 0, time.UTC)
	err := f.store.AddUsage(t.Context(), []store.UsageRow{row("acme", jan1, 100, 4*time.Millisecond),
		row("acme", jan1.Add(time.Hour), 50, 4*time.Millisecond), row("acme", jan1.Add(48*time.Hour), 10, time.Second),
		row("beta", jan1, 1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	out := f.mustCLI("usage", "--from", "2025-01-01", "--to", "2025-01-01", "--csv")
	want := "tenant,start,span,requests,errors,bytes_in,bytes_out,p50_ms,p90_ms,p99_ms\n" +
		"acme,2025-01-01T00:00:00Z,day,150,15,15000,300000,"
	if !strings.HasPrefix(out, want) || !strings.Contains(out, "\nbeta,2025-01-01T00:00:00Z,day,1,0,100,2000,") ||
		strings.Count(out, "\n") != 3 {
		t.Errorf("usage --csv for January 1st:\n%s\nwant it to start\n%s", out, want)
	}
	out = f.mustCLI("usage", "--tenant", "acme", "--from", "2025-01-01", "--span", "hour")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "TENANT") || !strings.HasPrefix(lines[3], "acme    2025-01-03 09:00Z  hour  10") {
		t.Errorf("usage --span hour:\n%s", out)
	}
	var rows []api.UsageRow
	f.mustJSON(&rows, "usage", "--from", "2025-01-02T00:00:00Z")
	if len(rows) != 1 || rows[0].Requests != 10 || rows[0].P50 < 750*time.Millisecond || rows[0].P50 > 1250*time.Millisecond {
		t.Errorf("usage --json from January 2nd: %+v; want one day of 10 requests, p50 about 1s", rows)
	}
	f.mustFail("--span must be hour or day", "usage", "--span", "week")
	f.mustFail("cannot be used together", "usage", "--csv", "--json")
	f.mustFail("neither a date nor a time", "usage", "--from", "January")
}

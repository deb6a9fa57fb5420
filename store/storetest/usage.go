package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

// testUsage checks the usage rollups: merging of minute rows, spans that
// sum to the same totals before and after compaction, percentiles of
// merged histograms, retention, and that none of it is a configuration
// change. The clock is the now passed to CompactUsage: nothing sleeps.
func testUsage(t *testing.T, s store.Store) {
	update(t, s, tenant("acme", ""))
	rev, audit := s.Revision(), auditLen(t, s)

	t.Run("Merge", func(t *testing.T) { testUsageMerge(t, s) })
	t.Run("Compaction", func(t *testing.T) { testUsageCompaction(t, s) })
	t.Run("Percentiles", func(t *testing.T) { testUsagePercentiles(t, s) })
	t.Run("Refused", func(t *testing.T) { testUsageRefused(t, s) })
	t.Run("CompactionManyTenants", func(t *testing.T) { testUsageCompactionMany(t, s) })

	// Ensure that no usage write was a configuration change.
	if got := s.Revision(); got != rev {
		t.Errorf("revision moved from %d to %d on usage writes", rev, got)
	}
	if got := auditLen(t, s); got != audit {
		t.Errorf("audit log grew from %d to %d entries on usage writes", audit, got)
	}
}

// usageEpoch is midnight UTC at the start of the suite's usage history.
var usageEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// minuteRow is tenant's row for minute m after usageEpoch, with a
// latency histogram of n observations of d.
func minuteRow(tenant string, m int, n int64, d time.Duration) store.UsageRow {
	r := store.UsageRow{Tenant: tenant, Start: usageEpoch.Add(time.Duration(m)*time.Minute + 17*time.Second),
		Span: store.SpanMinute, Requests: n, Errors: n / 10, BytesIn: 3 * n, BytesOut: 1000 * n}
	for range n {
		r.Latency.Observe(d)
	}
	return r
}

func addUsage(t *testing.T, s store.Store, rows ...store.UsageRow) {
	t.Helper()
	if err := s.AddUsage(context.Background(), rows); err != nil {
		t.Fatalf("AddUsage: %v", err)
	}
}

func queryUsage(t *testing.T, s store.Store, q store.UsageQuery) []store.UsageRow {
	t.Helper()
	rows, err := s.QueryUsage(context.Background(), q)
	if err != nil {
		t.Fatalf("QueryUsage %+v: %v", q, err)
	}
	return rows
}

// usageTotal sums rows into one row (its Tenant, Start and Span unset).
func usageTotal(rows []store.UsageRow) store.UsageRow {
	var sum store.UsageRow
	for _, r := range rows {
		sum.Requests += r.Requests
		sum.Errors += r.Errors
		sum.BytesIn += r.BytesIn
		sum.BytesOut += r.BytesOut
		sum.Latency.Merge(&r.Latency)
	}
	return sum
}

func testUsageMerge(t *testing.T, s store.Store) {
	// Ensure that rows for the same minute add up, rows are returned by
	// tenant then start, and a finer span is merged up to the one asked.
	addUsage(t, s, minuteRow("m1", 0, 10, time.Millisecond), minuteRow("m1", 0, 5, time.Second),
		minuteRow("m1", 61, 20, time.Millisecond), minuteRow("m0", 1, 1, time.Millisecond))
	addUsage(t, s, minuteRow("m1", 0, 1, time.Millisecond))
	rows := queryUsage(t, s, store.UsageQuery{Tenant: "m1", Span: store.SpanMinute})
	if len(rows) != 2 || rows[0].Requests != 16 || rows[0].Latency.Total() != 16 || rows[1].Requests != 20 {
		t.Fatalf("minute rows of m1: %+v; want 16 then 20 requests", rows)
	}
	if !rows[0].Start.Equal(usageEpoch) || rows[0].Span != store.SpanMinute || rows[0].Tenant != "m1" {
		t.Errorf("first row: start %v span %q tenant %q; want the minute %v of m1", rows[0].Start, rows[0].Span, rows[0].Tenant, usageEpoch)
	}
	hours := queryUsage(t, s, store.UsageQuery{Tenant: "m1", Span: store.SpanHour})
	if len(hours) != 2 || hours[0].Requests != 16 || !hours[1].Start.Equal(usageEpoch.Add(time.Hour)) {
		t.Errorf("hour rows of m1: %+v", hours)
	}
	days := queryUsage(t, s, store.UsageQuery{}) // every tenant, by day
	if len(days) != 2 || days[0].Tenant != "m0" || days[1].Tenant != "m1" || days[1].Requests != 36 || days[1].Span != store.SpanDay {
		t.Errorf("day rows: %+v; want m0 then m1 with 36 requests", days)
	}
	from := queryUsage(t, s, store.UsageQuery{Tenant: "m1", Span: store.SpanMinute, From: usageEpoch.Add(time.Minute)})
	if len(from) != 1 || from[0].Requests != 20 {
		t.Errorf("from the second minute: %+v; want the row of 20", from)
	}
	until := queryUsage(t, s, store.UsageQuery{Tenant: "m1", Span: store.SpanMinute, Until: usageEpoch.Add(61 * time.Minute)})
	if len(until) != 1 || until[0].Requests != 16 {
		t.Errorf("until minute 61 (exclusive): %+v; want the row of 16", until)
	}
}

func testUsageCompaction(t *testing.T, s store.Store) {
	// Ensure that the sum of minute rows equals the hour rows and the day
	// rows, before and after minutes become hours and hours become days,
	// and that retention drops whole old days.
	ctx := context.Background()
	var rows []store.UsageRow
	for m := 0; m < 3*24*60; m += 7 { // three days, a row every 7 minutes
		rows = append(rows, minuteRow("c", m, int64(m%13+1), time.Duration(m%97+1)*time.Millisecond))
	}
	addUsage(t, s, rows...)
	want := usageTotal(rows)
	q := store.UsageQuery{Tenant: "c"}
	check := func(what string, minutes, hours, days int) {
		t.Helper()
		for _, c := range []struct {
			span store.UsageSpan
			n    int
		}{{store.SpanMinute, minutes}, {store.SpanHour, hours}, {store.SpanDay, days}} {
			q.Span = c.span
			got := queryUsage(t, s, q)
			if len(got) != c.n {
				t.Errorf("%s: %d %s rows, want %d", what, len(got), c.span, c.n)
			}
			if sum := usageTotal(got); sum != want {
				t.Errorf("%s: the %s rows sum to %d requests, %d errors, %d/%d bytes; want %+v",
					what, c.span, sum.Requests, sum.Errors, sum.BytesIn, sum.BytesOut, want)
			}
		}
	}
	check("before compaction", len(rows), 72, 3)

	// Two days after the start: the first day's minutes (and the second's
	// first hour) become hours; minutes newer than a day stay.
	if err := s.CompactUsage(ctx, usageEpoch.Add(49*time.Hour+30*time.Minute), 0); err != nil {
		t.Fatalf("CompactUsage: %v", err)
	}
	q.Span = store.SpanMinute
	got := queryUsage(t, s, q)
	if got[0].Span != store.SpanHour || got[24].Span != store.SpanHour || got[25].Span != store.SpanMinute {
		t.Errorf("after folding minutes: rows 0, 24, 25 are %s, %s, %s; want hour, hour, minute", got[0].Span, got[24].Span, got[25].Span)
	}
	newer := 0 // the minute rows from hour 25 on stay
	for _, r := range rows {
		if !r.Start.Before(usageEpoch.Add(25 * time.Hour)) {
			newer++
		}
	}
	check("after folding minutes", 25+newer, 72, 3)

	// Two months on: everything is days.
	if err := s.CompactUsage(ctx, usageEpoch.Add(62*24*time.Hour), 0); err != nil {
		t.Fatalf("CompactUsage: %v", err)
	}
	check("after folding hours", 3, 3, 3)

	// Retention of 60 days at day 62 (plus an hour) drops the first two
	// days, which ended before day 2 plus an hour, and keeps the third.
	if err := s.CompactUsage(ctx, usageEpoch.Add(62*24*time.Hour+time.Hour), 60*24*time.Hour); err != nil {
		t.Fatalf("CompactUsage: %v", err)
	}
	q.Span = store.SpanDay
	got = queryUsage(t, s, q)
	if len(got) != 1 || !got[0].Start.Equal(usageEpoch.Add(48*time.Hour)) {
		t.Fatalf("after retention: %+v; want only the third day", got)
	}
	// Dropping everything forgets the tenant.
	if err := s.CompactUsage(ctx, usageEpoch.Add(400*24*time.Hour), time.Hour); err != nil {
		t.Fatalf("CompactUsage: %v", err)
	}
	for _, r := range queryUsage(t, s, store.UsageQuery{}) {
		if r.Tenant == "c" {
			t.Errorf("tenant c still has %+v after all its days were dropped", r)
		}
	}
}

func testUsagePercentiles(t *testing.T, s store.Store) {
	// Ensure that percentiles read from a merged row are those of all its
	// minutes: 90 fast requests in one minute and 10 slow in another.
	addUsage(t, s, minuteRow("p", 0, 90, 2*time.Millisecond), minuteRow("p", 5, 10, 800*time.Millisecond))
	rows := queryUsage(t, s, store.UsageQuery{Tenant: "p", Span: store.SpanHour})
	if len(rows) != 1 {
		t.Fatalf("hour rows: %+v, want one", rows)
	}
	h := &rows[0].Latency
	near := func(what string, got, want time.Duration) {
		if got < want*3/4 || got > want*5/4 {
			t.Errorf("%s = %v, want within 25%% of %v", what, got, want)
		}
	}
	near("p50", h.Quantile(0.50), 2*time.Millisecond)
	near("p90", h.Quantile(0.90), 2*time.Millisecond)
	near("p99", h.Quantile(0.99), 800*time.Millisecond)
}

func testUsageRefused(t *testing.T, s store.Store) {
	// Ensure that AddUsage takes only minute rows and QueryUsage refuses an
	// unknown span, both with ErrInvalid and nothing written.
	r := minuteRow("r", 0, 1, time.Millisecond)
	r.Span = store.SpanHour
	if err := s.AddUsage(context.Background(), []store.UsageRow{minuteRow("r", 1, 1, time.Millisecond), r}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("AddUsage of an hour row: %v, want ErrInvalid", err)
	}
	if rows := queryUsage(t, s, store.UsageQuery{Tenant: "r", Span: store.SpanMinute}); len(rows) != 0 {
		t.Errorf("a refused AddUsage wrote %+v", rows)
	}
	if _, err := s.QueryUsage(context.Background(), store.UsageQuery{Span: "week"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("QueryUsage of span week: %v, want ErrInvalid", err)
	}
}

func testUsageCompactionMany(t *testing.T, s store.Store) {
	// Ensure that compaction folds every tenant's old minutes when there
	// are more tenants than one compaction transaction takes, keeping each
	// tenant's sum.
	const tenants = 600
	var rows []store.UsageRow
	for i := range tenants {
		for m := 0; m < 120; m += 40 {
			rows = append(rows, minuteRow(fmt.Sprintf("many-%03d", i), m, int64(i%5+1), time.Millisecond))
		}
	}
	addUsage(t, s, rows...)
	if err := s.CompactUsage(context.Background(), usageEpoch.Add(72*time.Hour), 0); err != nil {
		t.Fatalf("CompactUsage: %v", err)
	}
	for _, i := range []int{0, 255, 256, 511, 512, tenants - 1} {
		tenant := fmt.Sprintf("many-%03d", i)
		// A minute query answers with the hours the minutes became.
		rows := queryUsage(t, s, store.UsageQuery{Tenant: tenant, Span: store.SpanMinute})
		for _, r := range rows {
			if r.Span != store.SpanHour {
				t.Fatalf("%s: a %s row left after compaction, want hours only", tenant, r.Span)
			}
		}
		if got, want := usageTotal(rows).Requests, int64(3*(i%5+1)); len(rows) != 2 || got != want {
			t.Errorf("%s: %d hour rows of %d requests, want 2 of %d", tenant, len(rows), got, want)
		}
	}
}

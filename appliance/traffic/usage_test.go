package traffic

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// rowSink is the in-memory store's usage rollups, with every row AddUsage
// receives and every CompactUsage call kept aside, so a test can check
// exactly what the rollups wrote as well as what the store holds.
type rowSink struct {
	store.Usage
	mu       sync.Mutex // guards rows, compacts, keep
	rows     []store.UsageRow
	compacts int
	keep     time.Duration
}

func newRowSink(t *testing.T) *rowSink {
	db, err := memstore.Open(t.Context(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &rowSink{Usage: db}
}

func (s *rowSink) AddUsage(ctx context.Context, rows []store.UsageRow) error {
	s.mu.Lock()
	s.rows = append(s.rows, rows...)
	s.mu.Unlock()
	return s.Usage.AddUsage(ctx, rows)
}

func (s *rowSink) CompactUsage(ctx context.Context, now time.Time, keep time.Duration) error {
	s.mu.Lock()
	s.compacts++
	s.keep = keep
	s.mu.Unlock()
	return s.Usage.CompactUsage(ctx, now, keep)
}

func (s *rowSink) snapshot() ([]store.UsageRow, int, time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]store.UsageRow(nil), s.rows...), s.compacts, s.keep
}

// usageTotals sums rows or raw records per tenant.
type usageTotals struct {
	requests, errors, in, out int64
	hist                      uint64
}

// Ensure that the per-minute rollups sum to the raw counts (requests,
// 5xx errors, bytes, histogram totals) per tenant and minute, that only
// finished minutes are written before stop and the rest on stop, and that
// usage is counted with the access log off and its queue overflowing.
func TestUsageRollupsSumToRawCounts(t *testing.T) {
	t0 := time.Date(2030, 1, 2, 12, 0, 0, 0, time.UTC)
	var now atomic.Pointer[time.Time]
	now.Store(&t0)
	sink := newRowSink(t)
	a := NewAccessLog(AccessLogOptions{Logs: memstore.NewLogs(), Usage: sink, QueueSize: 8,
		UsageInterval: 2 * time.Millisecond, CompactInterval: 2 * time.Millisecond, FlushInterval: time.Hour,
		Now: func() time.Time { return *now.Load() }})
	s := store.DefaultSettings()
	s.UsageRetention = store.Duration(48 * time.Hour)
	a.Apply(s)

	// Three minutes of traffic from two tenants, plus unmatched requests
	// (no tenant: billed to nobody). Half is sent with the access log off.
	want := map[string]map[time.Time]*usageTotals{}
	statuses := []int{200, 404, 500, 503, 302}
	i := 0
	for minute := range 3 {
		for _, tenant := range []string{"acme", "globex", ""} {
			for k := range 40 + 7*minute {
				if i%2 == 0 {
					s.AccessLogOff = !s.AccessLogOff
					a.Apply(s)
				}
				at := t0.Add(time.Duration(minute)*time.Minute + time.Duration(k)*time.Second/2)
				rec := testRecord(tenant, at, statuses[i%len(statuses)], i)
				a.Enqueue(&rec)
				i++
				if tenant == "" {
					continue
				}
				if want[tenant] == nil {
					want[tenant] = map[time.Time]*usageTotals{}
				}
				start := at.Truncate(time.Minute)
				w := want[tenant][start]
				if w == nil {
					w = &usageTotals{}
					want[tenant][start] = w
				}
				w.requests++
				if rec.Status >= 500 {
					w.errors++
				}
				w.in += rec.BytesIn
				w.out += rec.BytesOut
				w.hist++
			}
		}
	}
	if a.Stats().Dropped == 0 {
		t.Fatal("the queue of 8 did not overflow; the test means to show usage does not depend on it")
	}

	stop := runLog(t, a)
	// At 12:02:30 the minutes 12:00 and 12:01 are finished; 12:02 is not.
	mid := t0.Add(2*time.Minute + 30*time.Second)
	now.Store(&mid)
	waitFor(t, "two finished minutes per tenant written", func() bool { rows, _, _ := sink.snapshot(); return len(rows) == 4 })
	rows, _, _ := sink.snapshot()
	for _, r := range rows {
		if !r.Start.Before(t0.Add(2 * time.Minute)) {
			t.Fatalf("row for %s %s written before its minute ended", r.Tenant, r.Start)
		}
	}
	waitFor(t, "compaction with the usage retention", func() bool { _, n, keep := sink.snapshot(); return n > 0 && keep == 48*time.Hour })
	stop()

	rows, _, _ = sink.snapshot()
	got := map[string]map[time.Time]*usageTotals{}
	for _, r := range rows {
		if r.Span != store.SpanMinute || r.Start.Second() != 0 {
			t.Fatalf("row %+v is not a minute row", r)
		}
		if got[r.Tenant] == nil {
			got[r.Tenant] = map[time.Time]*usageTotals{}
		}
		if got[r.Tenant][r.Start] != nil {
			t.Fatalf("minute %s of %s written twice", r.Start, r.Tenant)
		}
		got[r.Tenant][r.Start] = &usageTotals{r.Requests, r.Errors, r.BytesIn, r.BytesOut, r.Latency.Total()}
	}
	if len(got) != len(want) {
		t.Fatalf("rows for %d tenants, want %d (%v)", len(got), len(want), got)
	}
	stored, err := sink.QueryUsage(context.Background(), store.UsageQuery{Span: store.SpanMinute,
		From: t0.Add(-time.Hour), Until: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(rows) {
		t.Fatalf("the store holds %d minute rows, want the %d written", len(stored), len(rows))
	}
	for _, r := range stored {
		if g := got[r.Tenant][r.Start]; g == nil || *g != (usageTotals{r.Requests, r.Errors, r.BytesIn, r.BytesOut, r.Latency.Total()}) {
			t.Errorf("the store holds %+v for %s %s, the rollup wrote %+v", r, r.Tenant, r.Start, g)
		}
	}
	for tenant, minutes := range want {
		if len(got[tenant]) != len(minutes) {
			t.Fatalf("%s: %d minutes written, want %d", tenant, len(got[tenant]), len(minutes))
		}
		for start, w := range minutes {
			if g := got[tenant][start]; g == nil || *g != *w {
				t.Errorf("%s %s: got %+v, want %+v", tenant, start.Format("15:04"), g, w)
			}
		}
	}
}

// Ensure that a tenant's accumulator is released after idleFlushes empty
// flushes, and that a record arriving later is still counted.
func TestUsageReleasesIdleTenants(t *testing.T) {
	var u usageTable
	rec := testRecord("acme", time.Unix(600, 0), 200, 1)
	u.observe(&rec)
	held := u.lookup("acme")
	if rows := u.take(11, false); len(rows) != 1 || rows[0].Requests != 1 {
		t.Fatalf("first take: %+v, want one row of one request", rows)
	}
	for range idleFlushes {
		u.take(11, false)
	}
	if u.holds("acme") {
		t.Fatal("an idle tenant's accumulator is still held")
	}
	if !held.dead {
		t.Fatal("the released accumulator is not marked dead")
	}
	rec.Time = time.Unix(660, 0)
	u.observe(&rec)
	if rows := u.take(12, false); len(rows) != 1 || rows[0].Requests != 1 || rows[0].Start != time.Unix(660, 0).UTC() {
		t.Fatalf("after release: %+v, want the new request counted", rows)
	}
}

// holds reports whether the table has an accumulator for tenant.
func (t *usageTable) holds(tenant string) bool {
	sh := t.shard(tenant)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	_, ok := sh.tenants[tenant]
	return ok
}

// Ensure that first requests from many tenants at once, from several
// goroutines, give each tenant one accumulator that counts all of its
// requests, and that idle tenants are released from every shard.
func TestUsageManyNewTenantsConcurrently(t *testing.T) {
	const tenants, workers = 2000, 4
	var u usageTable
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range tenants {
				rec := testRecord("t"+strconv.Itoa((i+w*tenants/workers)%tenants), time.Unix(600, 0), 200, i)
				u.observe(&rec)
			}
		}()
	}
	wg.Wait()
	rows := u.take(11, false)
	if len(rows) != tenants {
		t.Fatalf("%d rows, want one per tenant (%d)", len(rows), tenants)
	}
	for _, r := range rows {
		if r.Requests != workers {
			t.Fatalf("tenant %s: %d requests, want %d", r.Tenant, r.Requests, workers)
		}
	}
	used := 0
	for i := range u.shards {
		if len(u.shards[i].tenants) > 0 {
			used++
		}
	}
	if used < usageShards/2 {
		t.Fatalf("%d tenants landed in %d of %d shards; the hash does not spread them", tenants, used, usageShards)
	}
	for range idleFlushes {
		u.take(12, false)
	}
	for i := range tenants {
		if s := "t" + strconv.Itoa(i); u.holds(s) {
			t.Fatalf("idle tenant %s is still held", s)
		}
	}
}

// refusingSink is a rowSink whose AddUsage refuses the calls numbered in
// refuse (from 1), as a store that is briefly unavailable would.
type refusingSink struct {
	*rowSink
	calls  int
	sizes  []int
	refuse map[int]bool
}

func (s *refusingSink) AddUsage(ctx context.Context, rows []store.UsageRow) error {
	s.calls++
	s.sizes = append(s.sizes, len(rows))
	if s.refuse[s.calls] {
		return errors.New("store unavailable")
	}
	return s.rowSink.AddUsage(ctx, rows)
}

// Ensure that a flush writes its rows usageBatchRows at a time, each batch
// in its own AddUsage, and that only a refused batch is retried, so every
// row is written exactly once.
func TestUsageFlushBatches(t *testing.T) {
	const tenants = 2*usageBatchRows + 10
	sink := &refusingSink{rowSink: newRowSink(t), refuse: map[int]bool{2: true}}
	a := NewAccessLog(AccessLogOptions{Usage: sink, Now: func() time.Time { return time.Unix(6000, 0) }})
	for i := range tenants {
		rec := testRecord("t"+strconv.Itoa(i), time.Unix(600, 0), 200, i)
		a.usage.observe(&rec)
	}
	a.flushUsage(t.Context(), false)
	if want := []int{usageBatchRows, usageBatchRows, 10}; !slices.Equal(sink.sizes, want) {
		t.Fatalf("AddUsage calls of %v rows, want %v", sink.sizes, want)
	}
	if len(a.usage.pending) != usageBatchRows {
		t.Fatalf("%d rows pending after one refused batch, want %d", len(a.usage.pending), usageBatchRows)
	}
	a.flushUsage(t.Context(), false)
	if len(a.usage.pending) != 0 {
		t.Fatalf("%d rows still pending after the retry", len(a.usage.pending))
	}
	rows, _, _ := sink.snapshot()
	seen := map[string]int{}
	for _, r := range rows {
		seen[r.Tenant] += int(r.Requests)
	}
	if len(seen) != tenants {
		t.Fatalf("%d tenants written, want %d", len(seen), tenants)
	}
	for tenant, n := range seen {
		if n != 1 {
			t.Fatalf("tenant %s: %d requests written, want 1 (a batch written twice?)", tenant, n)
		}
	}
}

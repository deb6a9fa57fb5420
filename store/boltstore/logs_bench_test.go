package boltstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/boltstore"
)

// TestMain removes the benchmark fixture, which outlives any one
// benchmark so that -count and several benchmarks reuse it.
func TestMain(m *testing.M) {
	code := m.Run()
	if logsFixture.dir != "" {
		_ = os.RemoveAll(logsFixture.dir)
	}
	os.Exit(code)
}

// benchRecord is a realistic record of tenant at t.
func benchRecord(tenant string, t time.Time, i int) store.LogRecord {
	return store.LogRecord{
		Time: t, Tenant: tenant, RequestID: fmt.Sprintf("01J%013d", i), ClientIP: "203.0.113.45",
		Method: "GET", Host: tenant + ".example.com", Path: fmt.Sprintf("/api/v1/items/%d", i%5000),
		Status: 200, BytesIn: 312, BytesOut: 4821, Duration: 3 * time.Millisecond,
		Upstream: "http://10.0.3.7:8080", UpstreamLatency: 2 * time.Millisecond, TLSVersion: "1.3",
		SNI: tenant + ".example.com", Outcome: store.OutcomeAllowed,
	}
}

func BenchmarkLogsAppend256(b *testing.B) {
	// A batch of 256 records over 16 tenants, one transaction with fsync,
	// as the recorder writes them.
	benchAppend(b, 256)
}

func BenchmarkLogsAppend16(b *testing.B) {
	// A batch of one record per tenant: what a commit costs (its page
	// writes and fsync) whatever the batch holds.
	benchAppend(b, 16)
}

func BenchmarkLogsAppend2048(b *testing.B) {
	// A batch of 2,048 records over 16 tenants: the recorder under load,
	// its batches near their cap.
	benchAppend(b, 2048)
}

// benchAppend appends batches of size records over 16 tenants. The
// records are built with the timer stopped: B/op and allocs/op are
// AppendLogs's own.
func benchAppend(b *testing.B, size int) { benchAppendN(b, size, 16) }

func benchAppendN(b *testing.B, size, ntenants int) {
	l := openLogs(b)
	ctx := context.Background()
	batch := make([]store.LogRecord, size)
	t0, n := time.Unix(1700000000, 0), 0
	tenants := make([]string, ntenants)
	for i := range tenants {
		tenants[i] = fmt.Sprintf("tenant-%d", i)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		for i := range batch {
			n++
			batch[i] = benchRecord(tenants[rand.IntN(ntenants)], t0.Add(time.Duration(n)*time.Millisecond), n)
		}
		b.StartTimer()
		if err := l.AppendLogs(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/record")
}

// fixture is logs.db with fixtureRecords records across fixtureTenants
// tenants, built once per test binary.
var logsFixture struct {
	once  sync.Once
	dir   string
	path  string
	build time.Duration
	err   error
}

const fixtureRecords, fixtureTenants = 1_000_000, 1000

func openLogsFixture(b *testing.B) *boltstore.Logs {
	logsFixture.once.Do(func() {
		if logsFixture.dir, logsFixture.err = os.MkdirTemp("", "foyer-logs-bench-"); logsFixture.err != nil {
			return
		}
		logsFixture.path = filepath.Join(logsFixture.dir, boltstore.LogsName)
		start := time.Now()
		l, err := boltstore.OpenLogs(logsFixture.path, boltstore.LogsOptions{})
		if err != nil {
			logsFixture.err = err
			return
		}
		defer l.Close()
		t0 := time.Unix(1700000000, 0)
		batch := make([]store.LogRecord, 0, 20_000)
		for i := range fixtureRecords {
			batch = append(batch, benchRecord(fmt.Sprintf("tenant-%04d", i%fixtureTenants), t0.Add(time.Duration(i)*time.Millisecond), i))
			if len(batch) == cap(batch) {
				if logsFixture.err = l.AppendLogs(context.Background(), batch); logsFixture.err != nil {
					return
				}
				batch = batch[:0]
			}
		}
		logsFixture.build = time.Since(start)
	})
	if logsFixture.err != nil {
		b.Fatalf("build fixture: %v", logsFixture.err)
	}
	l, err := boltstore.OpenLogs(logsFixture.path, boltstore.LogsOptions{})
	if err != nil {
		b.Fatalf("open fixture: %v", err)
	}
	b.Cleanup(func() { _ = l.Close() })
	return l
}

// reportFixture adds the fixture's file and live sizes to b's report.
func reportFixture(b *testing.B, l *boltstore.Logs) {
	ctx := context.Background()
	info, _ := l.LogsInfo(ctx)
	live, _ := l.LiveBytes(ctx)
	b.ReportMetric(float64(info.Bytes)/(1<<20), "file-MB")
	b.ReportMetric(float64(live)/(1<<20), "live-MB")
	b.Logf("fixture: %d records, %d tenants, file %.1f MB, live data %.1f MB, built in %v",
		info.Records, fixtureTenants, float64(info.Bytes)/(1<<20), float64(live)/(1<<20), logsFixture.build.Round(time.Millisecond))
}

func BenchmarkLogsTenantLast100(b *testing.B) {
	// A tenant's newest 100 records from 1,000,000 across 1,000 tenants
	// (target < 20 ms): a seek to the end of its bucket.
	l := openLogsFixture(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		t := fmt.Sprintf("tenant-%04d", rng.IntN(fixtureTenants))
		recs, err := l.QueryLogs(ctx, store.LogQuery{Tenant: t, Limit: 100})
		if err != nil || len(recs) != 100 {
			b.Fatalf("query %s: %d records, %v", t, len(recs), err)
		}
	}
	reportFixture(b, l)
}

func BenchmarkLogsAllTenantsLast100(b *testing.B) {
	// The newest 100 records of every tenant merged, from the same
	// fixture: one cursor per tenant.
	l := openLogsFixture(b)
	ctx := context.Background()
	for b.Loop() {
		recs, err := l.QueryLogs(ctx, store.LogQuery{Limit: 100})
		if err != nil || len(recs) != 100 {
			b.Fatalf("query: %d records, %v", len(recs), err)
		}
	}
}

func BenchmarkLogsTenant5xxLast100(b *testing.B) {
	// A tenant's newest 5xx records when it has none: the worst case of a
	// status filter, a walk of all its 1,000 records.
	l := openLogsFixture(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := l.QueryLogs(ctx, store.LogQuery{Tenant: "tenant-0500", StatusClass: 5, Limit: 100}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLogsPrune5000(b *testing.B) {
	// One prune transaction's worth of deletions (5,000, spread over 100
	// tenants of 2,000 records each, by count per tenant): the longest an
	// AppendLogs waits for a prune's write lock.
	l := openLogs(b)
	ctx := context.Background()
	t0, n := time.Unix(1700000000, 0), 0
	add := func(count int) {
		batch := make([]store.LogRecord, 0, count)
		for range count {
			n++
			batch = append(batch, benchRecord(fmt.Sprintf("tenant-%03d", n%100), t0.Add(time.Duration(n)*time.Millisecond), n))
		}
		if err := l.AppendLogs(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	for range 4 {
		add(50_000)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		add(5000)
		b.StartTimer()
		res, err := l.PruneLogs(ctx, store.Retention{MaxPerTenant: 2000}, t0)
		if err != nil || res.Removed != 5000 {
			b.Fatalf("prune: %+v, %v; want 5000 removed", res, err)
		}
	}
}

func BenchmarkLogsAppend4096x100(b *testing.B) {
	benchAppendN(b, 4096, 100)
}

func BenchmarkLogsAppend4096x1(b *testing.B) {
	benchAppendN(b, 4096, 1)
}

func BenchmarkLogsAppend16384x100(b *testing.B) {
	benchAppendN(b, 16384, 100)
}

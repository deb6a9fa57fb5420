package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

// RunLogs runs the access-log conformance suite, each part on a fresh,
// empty store.Logs from open. open arranges Close with t.Cleanup; Close
// may also be called by the suite first, so it must be safe to call twice.
func RunLogs(t *testing.T, open func(t *testing.T) store.Logs) {
	t.Run("RoundTrip", func(t *testing.T) { testLogsRoundTrip(t, open(t)) })
	t.Run("NewestFirst", func(t *testing.T) { testLogsNewestFirst(t, open(t)) })
	t.Run("AllTenants", func(t *testing.T) { testLogsAllTenants(t, open(t)) })
	t.Run("Filters", func(t *testing.T) { testLogsFilters(t, open(t)) })
	t.Run("PruneAge", func(t *testing.T) { testLogsPruneAge(t, open(t)) })
	t.Run("PrunePerTenant", func(t *testing.T) { testLogsPrunePerTenant(t, open(t)) })
	t.Run("PruneBytes", func(t *testing.T) { testLogsPruneBytes(t, open(t)) })
	t.Run("PruneLarge", func(t *testing.T) { testLogsPruneLarge(t, open(t)) })
	t.Run("Concurrent", func(t *testing.T) { testLogsConcurrent(t, open(t)) })
	t.Run("Closed", func(t *testing.T) { testLogsClosed(t, open(t)) })
}

// logEpoch is the suite's fixed clock: no test reads the wall clock.
var logEpoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// logRec returns a plain record of tenant at logEpoch+i seconds.
func logRec(tenant string, i int, status int) store.LogRecord {
	return store.LogRecord{
		Time: logEpoch.Add(time.Duration(i) * time.Second), Tenant: tenant,
		RequestID: fmt.Sprintf("%s-%d", tenant, i), ClientIP: "192.0.2.7", Method: "GET",
		Host: tenant + ".example", Path: fmt.Sprintf("/p/%d", i), Status: status,
		BytesIn: 10, BytesOut: int64(100 + i), Duration: time.Duration(i+1) * time.Millisecond,
		Outcome: store.OutcomeAllowed,
	}
}

func appendLogs(t *testing.T, l store.Logs, recs ...store.LogRecord) {
	t.Helper()
	if err := l.AppendLogs(context.Background(), recs); err != nil {
		t.Fatalf("AppendLogs: %v", err)
	}
}

func queryLogs(t *testing.T, l store.Logs, q store.LogQuery) []store.LogRecord {
	t.Helper()
	got, err := l.QueryLogs(context.Background(), q)
	if err != nil {
		t.Fatalf("QueryLogs %+v: %v", q, err)
	}
	return got
}

// reqIDs lists the request IDs of recs, which the suite makes unique.
func reqIDs(recs []store.LogRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.RequestID
	}
	return out
}

func wantIDs(t *testing.T, what string, got []store.LogRecord, want ...string) {
	t.Helper()
	if g := reqIDs(got); !reflect.DeepEqual(g, want) && !(len(g) == 0 && len(want) == 0) {
		t.Errorf("%s: got %v, want %v", what, g, want)
	}
}

func logsInfo(t *testing.T, l store.Logs) store.LogsInfo {
	t.Helper()
	info, err := l.LogsInfo(context.Background())
	if err != nil {
		t.Fatalf("LogsInfo: %v", err)
	}
	return info
}

func testLogsRoundTrip(t *testing.T, l store.Logs) {
	// Ensure that every field of a record comes back as written, including
	// the empty tenant, long strings and nanosecond times.
	full := store.LogRecord{
		Time: logEpoch.Add(123456789 * time.Nanosecond), Tenant: "acme", RequestID: "01J9ZQ",
		ClientIP: "2001:db8::1", Method: "PATCH", Host: "api.acme.example", Path: "/v1/x?q=" + string(make([]byte, 300)),
		Status: 502, BytesIn: 1 << 40, BytesOut: 7, Duration: 3*time.Second + 17,
		Upstream: "http://10.0.0.2:8080", UpstreamLatency: 2 * time.Second, TLSVersion: "1.3",
		SNI: "api.acme.example", Outcome: store.OutcomeUpstreamFail,
	}
	bare := store.LogRecord{Time: logEpoch, Status: 404, Outcome: store.OutcomeUnknownHost}
	appendLogs(t, l, full, bare)
	for _, want := range []store.LogRecord{full, bare} {
		got := queryLogs(t, l, store.LogQuery{Tenant: want.Tenant})
		if want.Tenant == "" { // every tenant: the newest is full
			got = got[1:]
		}
		if len(got) != 1 {
			t.Fatalf("query %q: got %d records, want 1", want.Tenant, len(got))
		}
		if !got[0].Time.Equal(want.Time) {
			t.Errorf("time: got %v, want %v", got[0].Time, want.Time)
		}
		got[0].Time = want.Time
		if !reflect.DeepEqual(got[0], want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got[0], want)
		}
	}
	if info := logsInfo(t, l); info.Records != 2 || info.Bytes <= 0 {
		t.Errorf("LogsInfo: got %+v, want 2 records and some bytes", info)
	}
}

func testLogsNewestFirst(t *testing.T, l store.Logs) {
	// Ensure that a tenant's records come newest first, out-of-order
	// appends take their place by time, records of equal time come in
	// reverse append order, and Limit (default 100) caps the answer.
	var recs []store.LogRecord
	for i := range 150 {
		recs = append(recs, logRec("acme", i, 200))
	}
	appendLogs(t, l, recs[:75]...)
	appendLogs(t, l, recs[100:]...)
	appendLogs(t, l, recs[75:100]...) // late: older than what is stored
	same := logRec("acme", 149, 200)
	same.RequestID = "acme-149b"
	appendLogs(t, l, same)

	got := queryLogs(t, l, store.LogQuery{Tenant: "acme"})
	if len(got) != 100 {
		t.Fatalf("default limit: got %d records, want 100", len(got))
	}
	want := []string{"acme-149b", "acme-149"}
	for i := 148; i >= 51; i-- {
		want = append(want, fmt.Sprintf("acme-%d", i))
	}
	wantIDs(t, "newest first", got, want...)
	wantIDs(t, "limit 3", queryLogs(t, l, store.LogQuery{Tenant: "acme", Limit: 3}), want[:3]...)
	wantIDs(t, "other tenant", queryLogs(t, l, store.LogQuery{Tenant: "acm"}))
	if got := queryLogs(t, l, store.LogQuery{Tenant: "acme", Limit: 1000}); len(got) != 151 {
		t.Errorf("limit 1000: got %d records, want all 151", len(got))
	}
}

func testLogsAllTenants(t *testing.T, l store.Logs) {
	// Ensure that a query for every tenant merges the tenants by time,
	// the unmatched ("") tenant included.
	for i := range 30 {
		appendLogs(t, l, logRec([]string{"a", "b", "", "zz"}[i%4], i, 200))
	}
	got := queryLogs(t, l, store.LogQuery{Limit: 8})
	var want []string
	for i := 29; i >= 22; i-- {
		want = append(want, fmt.Sprintf("%s-%d", []string{"a", "b", "", "zz"}[i%4], i))
	}
	wantIDs(t, "every tenant", got, want...)
	if got := queryLogs(t, l, store.LogQuery{Limit: 100}); len(got) != 30 {
		t.Errorf("every tenant: got %d records, want 30", len(got))
	}
}

func testLogsFilters(t *testing.T, l store.Logs) {
	// Ensure that Since is inclusive, Until exclusive, and StatusClass keeps
	// one hundred of statuses, for one tenant and for all.
	statuses := []int{200, 404, 502, 503, 301, 500}
	for i := range 60 {
		appendLogs(t, l, logRec([]string{"a", "b"}[i%2], i, statuses[i%len(statuses)]))
	}
	since, until := logEpoch.Add(10*time.Second), logEpoch.Add(20*time.Second)
	got := queryLogs(t, l, store.LogQuery{Tenant: "a", Since: since, Until: until})
	wantIDs(t, "a in [10s,20s)", got, "a-18", "a-16", "a-14", "a-12", "a-10")
	got = queryLogs(t, l, store.LogQuery{Since: since, Until: until, StatusClass: 5})
	var want []string
	for i := 19; i >= 10; i-- {
		if statuses[i%len(statuses)]/100 == 5 {
			want = append(want, fmt.Sprintf("%s-%d", []string{"a", "b"}[i%2], i))
		}
	}
	wantIDs(t, "5xx in [10s,20s)", got, want...)
	got = queryLogs(t, l, store.LogQuery{Tenant: "a", StatusClass: 4, Limit: 2})
	wantIDs(t, "a 4xx", got)
	got = queryLogs(t, l, store.LogQuery{Tenant: "b", StatusClass: 4, Limit: 2})
	wantIDs(t, "b 4xx", got, "b-55", "b-49")
	got = queryLogs(t, l, store.LogQuery{Tenant: "a", Since: logEpoch.Add(time.Hour)})
	wantIDs(t, "since after everything", got)
}

func testLogsPruneAge(t *testing.T, l store.Logs) {
	// Ensure that pruning by age removes exactly the records older than
	// now-MaxAge, for every tenant, and a zero Retention removes nothing.
	for i := range 100 {
		appendLogs(t, l, logRec([]string{"a", "b", ""}[i%3], i, 200))
	}
	ctx := context.Background()
	res, err := l.PruneLogs(ctx, store.Retention{}, logEpoch.Add(time.Hour))
	if err != nil || res.Removed != 0 {
		t.Fatalf("zero retention: got %+v, %v; want nothing removed", res, err)
	}
	res, err = l.PruneLogs(ctx, store.Retention{MaxAge: 60 * time.Second}, logEpoch.Add(100*time.Second))
	if err != nil {
		t.Fatalf("PruneLogs: %v", err)
	}
	if res.Removed != 40 {
		t.Errorf("removed %d, want 40 (the records before 40s)", res.Removed)
	}
	got := queryLogs(t, l, store.LogQuery{Limit: 1000})
	if len(got) != 60 || !got[len(got)-1].Time.Equal(logEpoch.Add(40*time.Second)) {
		t.Errorf("after prune: %d records, oldest %v; want 60, oldest at 40s", len(got), got[len(got)-1].Time)
	}
	if info := logsInfo(t, l); info.Records != 60 {
		t.Errorf("LogsInfo.Records = %d, want 60", info.Records)
	}
}

func testLogsPrunePerTenant(t *testing.T, l store.Logs) {
	// Ensure that pruning by count keeps each tenant's newest MaxPerTenant
	// and leaves smaller tenants alone.
	for i := range 50 {
		appendLogs(t, l, logRec("big", i, 200))
	}
	appendLogs(t, l, logRec("small", 1, 200), logRec("small", 2, 200))
	res, err := l.PruneLogs(context.Background(), store.Retention{MaxPerTenant: 5}, logEpoch)
	if err != nil || res.Removed != 45 {
		t.Fatalf("PruneLogs: got %+v, %v; want 45 removed", res, err)
	}
	wantIDs(t, "big", queryLogs(t, l, store.LogQuery{Tenant: "big"}), "big-49", "big-48", "big-47", "big-46", "big-45")
	wantIDs(t, "small", queryLogs(t, l, store.LogQuery{Tenant: "small"}), "small-2", "small-1")
	// Appending again after a prune continues the order.
	appendLogs(t, l, logRec("big", 60, 200))
	wantIDs(t, "big after", queryLogs(t, l, store.LogQuery{Tenant: "big", Limit: 2}), "big-60", "big-49")
}

func testLogsPruneBytes(t *testing.T, l store.Logs) {
	// Ensure that pruning by size removes the oldest records across
	// tenants, keeps the newest, and removes everything when MaxBytes is
	// smaller than one record.
	for i := range 200 {
		appendLogs(t, l, logRec([]string{"a", "b"}[i%2], i, 200))
	}
	ctx := context.Background()
	res, err := l.PruneLogs(ctx, store.Retention{MaxBytes: 1 << 40}, logEpoch)
	if err != nil || res.Removed != 0 {
		t.Fatalf("huge MaxBytes: got %+v, %v; want nothing removed", res, err)
	}
	// Ask for about a quarter: the live-size estimate is the backend's,
	// so only its shape is checked.
	all := logsInfo(t, l)
	res, err = l.PruneLogs(ctx, store.Retention{MaxBytes: 2000}, logEpoch)
	if err != nil {
		t.Fatalf("PruneLogs: %v", err)
	}
	got := queryLogs(t, l, store.LogQuery{Limit: 1000})
	if res.Removed == 0 || res.Removed == 200 || int(res.Removed)+len(got) != 200 {
		t.Fatalf("removed %d, %d left: want some but not all of 200", res.Removed, len(got))
	}
	for i, r := range got { // exactly the newest remain
		if want := fmt.Sprintf("%s-%d", []string{"a", "b"}[(199-i)%2], 199-i); r.RequestID != want {
			t.Fatalf("record %d after prune: got %s, want %s", i, r.RequestID, want)
		}
	}
	if info := logsInfo(t, l); info.Records != int64(len(got)) || info.Records >= all.Records {
		t.Errorf("LogsInfo after prune: %+v, before %+v, %d left", info, all, len(got))
	}
	if res, err = l.PruneLogs(ctx, store.Retention{MaxBytes: 1}, logEpoch); err != nil || len(queryLogs(t, l, store.LogQuery{})) != 0 {
		t.Errorf("MaxBytes 1: %+v, %v; want everything removed", res, err)
	}
}

func testLogsPruneLarge(t *testing.T, l store.Logs) {
	// Ensure that a prune larger than one batch of deletions removes all it
	// must, and that the count is right afterwards.
	const n = 12_000
	batch := make([]store.LogRecord, 0, 1000)
	for i := range n {
		batch = append(batch, logRec([]string{"a", "b", "c"}[i%3], i, 200))
		if len(batch) == cap(batch) {
			appendLogs(t, l, batch...)
			batch = batch[:0]
		}
	}
	res, err := l.PruneLogs(context.Background(), store.Retention{MaxAge: 1000 * time.Second}, logEpoch.Add(n*time.Second))
	if err != nil || res.Removed != n-1000 {
		t.Fatalf("PruneLogs: got %+v, %v; want %d removed", res, err, n-1000)
	}
	if info := logsInfo(t, l); info.Records != 1000 {
		t.Errorf("LogsInfo.Records = %d, want 1000", info.Records)
	}
}

func testLogsConcurrent(t *testing.T, l store.Logs) {
	// Ensure that appends, queries and prunes may run at once (run with
	// -race) and no append is lost.
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 4 {
		wg.Go(func() {
			for b := range 25 {
				recs := make([]store.LogRecord, 8)
				for i := range recs {
					recs[i] = logRec(fmt.Sprintf("t%d", w), b*8+i, 200)
				}
				if err := l.AppendLogs(ctx, recs); err != nil {
					errs <- err
					return
				}
				if _, err := l.QueryLogs(ctx, store.LogQuery{Limit: 5}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 20 {
			if _, err := l.PruneLogs(ctx, store.Retention{MaxAge: 24 * time.Hour}, logEpoch); err != nil {
				errs <- err
				return
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if info := logsInfo(t, l); info.Records != 800 {
		t.Errorf("LogsInfo.Records = %d, want 800", info.Records)
	}
}

func testLogsClosed(t *testing.T, l store.Logs) {
	// Ensure that every method of a closed log fails with ErrClosed and a
	// second Close is harmless.
	appendLogs(t, l, logRec("a", 1, 200))
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	ctx := context.Background()
	if err := l.AppendLogs(ctx, []store.LogRecord{logRec("a", 2, 200)}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("AppendLogs after Close: %v, want ErrClosed", err)
	}
	if _, err := l.QueryLogs(ctx, store.LogQuery{}); !errors.Is(err, store.ErrClosed) {
		t.Errorf("QueryLogs after Close: %v, want ErrClosed", err)
	}
	if _, err := l.PruneLogs(ctx, store.Retention{MaxAge: time.Hour}, logEpoch); !errors.Is(err, store.ErrClosed) {
		t.Errorf("PruneLogs after Close: %v, want ErrClosed", err)
	}
	if _, err := l.LogsInfo(ctx); !errors.Is(err, store.ErrClosed) {
		t.Errorf("LogsInfo after Close: %v, want ErrClosed", err)
	}
}

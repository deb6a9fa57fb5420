package traffic

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
	"github.com/foyerhq/foyer/store/memstore"
)

// gatedLogs is the in-memory access log with a gate: AppendLogs blocks
// until the gate opens, as a stalled disk would.
type gatedLogs struct {
	*memstore.Logs
	gate    chan struct{} // closed to let writes through
	entered chan struct{} // receives once per AppendLogs call that waits
}

func newGatedLogs() *gatedLogs {
	return &gatedLogs{Logs: memstore.NewLogs(), gate: make(chan struct{}), entered: make(chan struct{}, 1024)}
}

func (g *gatedLogs) AppendLogs(ctx context.Context, recs []store.LogRecord) error {
	select {
	case g.entered <- struct{}{}:
	default:
	}
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.Logs.AppendLogs(ctx, recs)
}

// testRecord is a request of tenant at t with status and sizes.
func testRecord(tenant string, t time.Time, status int, i int) store.LogRecord {
	return store.LogRecord{Time: t, Tenant: tenant, RequestID: fmt.Sprintf("req-%d", i), ClientIP: "127.0.0.1",
		Method: "GET", Host: tenant + ".example.com", Path: "/", Status: status, BytesIn: int64(10 + i%7),
		BytesOut: int64(100 + i%13), Duration: time.Duration(1+i%50) * time.Millisecond, Outcome: store.OutcomeAllowed}
}

// runLog starts a.Run and returns a stop function that cancels it and
// waits for it to return.
func runLog(t *testing.T, a *AccessLog) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(15 * time.Second):
				t.Fatal("AccessLog.Run did not return within 15s of its context ending")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func logCount(t *testing.T, l store.Logs) int64 {
	t.Helper()
	info, err := l.LogsInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.Records
}

// Ensure that a burst larger than the queue, sent while the writer is
// stuck in AppendLogs, completes without Enqueue blocking, and that every
// record is then either stored or counted as dropped, exactly.
func TestAccessLogBurstIntoStalledWriter(t *testing.T) {
	logs := newGatedLogs()
	a := NewAccessLog(AccessLogOptions{Logs: logs, QueueSize: 1000, BatchSize: 64, FlushInterval: time.Millisecond})
	stop := runLog(t, a)

	// The first record reaches the writer, which then blocks on the gate.
	first := testRecord("acme", time.Now(), 200, 0)
	a.Enqueue(&first)
	<-logs.entered

	const sent = 10_000
	burst := make(chan struct{})
	go func() {
		defer close(burst)
		for i := 1; i < sent; i++ {
			rec := testRecord("acme", time.Now(), 200, i)
			a.Enqueue(&rec)
		}
	}()
	select {
	case <-burst:
	case <-time.After(10 * time.Second):
		t.Fatal("Enqueue blocked: the burst did not complete while the writer was stalled")
	}
	if st := a.Stats(); st.Dropped == 0 || st.Written != 0 {
		t.Fatalf("during the stall: %+v, want drops and nothing written", st)
	}
	close(logs.gate)
	stop()

	st := a.Stats()
	stored := logCount(t, logs)
	t.Logf("sent %d, stored %d, dropped %d", sent, stored, st.Dropped)
	if uint64(stored)+st.Dropped != sent {
		t.Fatalf("stored %d + dropped %d != sent %d", stored, st.Dropped, sent)
	}
	if st.Written != uint64(stored) || st.Queued != uint64(stored) || st.Failed != 0 || st.WriteErrors != 0 {
		t.Fatalf("stats %+v disagree with %d stored", st, stored)
	}
	if st.QueueDepth != 0 {
		t.Fatalf("queue depth %d after stop, want 0", st.QueueDepth)
	}
}

// slowLogs is the in-memory access log behind a slow disk: every
// AppendLogs takes delay, and the batch sizes are recorded.
type slowLogs struct {
	*memstore.Logs
	delay time.Duration
	mu    sync.Mutex
	sizes []int
}

func (s *slowLogs) AppendLogs(ctx context.Context, recs []store.LogRecord) error {
	time.Sleep(s.delay)
	s.mu.Lock()
	s.sizes = append(s.sizes, len(recs))
	s.mu.Unlock()
	return s.Logs.AppendLogs(ctx, recs)
}

// Ensure that under steady load, with records arriving while a batch is
// being written, the writer commits full batches only (a partial one only
// on the flush tick or on stop), instead of chasing the queue with a
// small commit after every write.
func TestAccessLogWritesFullBatchesUnderLoad(t *testing.T) {
	logs := &slowLogs{Logs: memstore.NewLogs(), delay: 2 * time.Millisecond}
	const batch, n = 256, 5000
	a := NewAccessLog(AccessLogOptions{Logs: logs, BatchSize: batch, FlushInterval: time.Hour})
	stop := runLog(t, a)
	for i := range n {
		rec := testRecord(fmt.Sprintf("t%d", i%100), time.Now(), 200, i)
		a.Enqueue(&rec)
		if i%50 == 49 {
			time.Sleep(200 * time.Microsecond) // records keep arriving during writes
		}
	}
	stop()
	if got := logCount(t, logs); got != n {
		t.Fatalf("stored %d records, want %d", got, n)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	for i, size := range logs.sizes[:len(logs.sizes)-1] { // the last is the drain on stop
		if size != batch {
			t.Fatalf("batch %d of %d held %d records, want %d (all batch sizes: %v)", i+1, len(logs.sizes), size, batch, logs.sizes)
		}
	}
	t.Logf("%d records in %d batches", n, len(logs.sizes))
}

// Ensure that followers get records at the flush tick while their commit
// waits for CommitInterval (or a full batch), and that a partial batch is
// committed once it has waited that long.
func TestAccessLogCommitWaitsFollowersDoNot(t *testing.T) {
	for _, tc := range []struct {
		name   string
		commit time.Duration
	}{{"commit-later", time.Hour}, {"commit-soon", 20 * time.Millisecond}} {
		t.Run(tc.name, func(t *testing.T) {
			logs := memstore.NewLogs()
			a := NewAccessLog(AccessLogOptions{Logs: logs, BatchSize: 1000, FlushInterval: 2 * time.Millisecond, CommitInterval: tc.commit})
			stop := runLog(t, a)
			f := a.Follow(FollowFilter{}, 100)
			const n = 10
			for i := range n {
				rec := testRecord("acme", time.Now(), 200, i)
				a.Enqueue(&rec)
			}
			for got := range n {
				select {
				case <-f.C:
				case <-time.After(10 * time.Second):
					t.Fatalf("the follower got %d of %d records", got, n)
				}
			}
			if tc.commit == time.Hour {
				if st := a.Stats(); st.Written != 0 {
					t.Fatalf("%d records committed before the commit interval and without a full batch", st.Written)
				}
			} else {
				waitFor(t, "the partial batch's commit", func() bool { return a.Stats().Written == n })
			}
			stop()
			if got := logCount(t, logs); got != n {
				t.Fatalf("stored %d records after stop, want %d", got, n)
			}
		})
	}
}

// Ensure that records still queued when Run's context ends are written
// before Run returns, even when no batch is full and no flush tick came.
func TestAccessLogFlushOnStop(t *testing.T) {
	logs := memstore.NewLogs()
	a := NewAccessLog(AccessLogOptions{Logs: logs, BatchSize: 512, FlushInterval: time.Hour})
	stop := runLog(t, a)
	const n = 1300 // two full batches and a partial one
	for i := range n {
		rec := testRecord("acme", time.Now(), 200, i)
		a.Enqueue(&rec)
	}
	stop()
	if got := logCount(t, logs); got != n {
		t.Fatalf("stored %d records after stop, want %d", got, n)
	}
	if st := a.Stats(); st.Written != n || st.Dropped != 0 {
		t.Fatalf("stats %+v, want %d written and no drops", st, n)
	}
}

// Ensure that with the access log off nothing is queued or stored, and
// that turning it on again (live, through Apply) stores again.
func TestAccessLogOff(t *testing.T) {
	logs := memstore.NewLogs()
	a := NewAccessLog(AccessLogOptions{Logs: logs, FlushInterval: time.Hour})
	stop := runLog(t, a)
	s := store.DefaultSettings()
	s.AccessLogOff = true
	a.Apply(s)
	for i := range 10 {
		rec := testRecord("acme", time.Now(), 200, i)
		a.Enqueue(&rec)
	}
	if st := a.Stats(); st.Queued != 0 || st.Dropped != 0 {
		t.Fatalf("access log off: %+v, want nothing queued", st)
	}
	s.AccessLogOff = false
	a.Apply(s)
	for i := range 3 {
		rec := testRecord("acme", time.Now(), 200, i)
		a.Enqueue(&rec)
	}
	stop()
	if got := logCount(t, logs); got != 3 {
		t.Fatalf("stored %d, want the 3 sent while on", got)
	}
}

// Ensure that a failing AppendLogs counts the batch's records as failed
// and a write error, and the writer goes on.
func TestAccessLogWriteError(t *testing.T) {
	logs := memstore.NewLogs()
	a := NewAccessLog(AccessLogOptions{Logs: logs, BatchSize: 4, FlushInterval: time.Hour})
	if err := logs.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 10 { // queued before the writer starts: batches of 4, 4 and 2
		rec := testRecord("acme", time.Now(), 200, i)
		a.Enqueue(&rec)
	}
	runLog(t, a)()
	st := a.Stats()
	if st.Failed != 10 || st.WriteErrors != 3 || st.Written != 0 {
		t.Fatalf("stats %+v, want 10 failed in 3 write errors", st)
	}
}

// Ensure that the retention loop prunes by the settings' age as of the
// injected clock, and picks up a retention change live.
func TestAccessLogRetention(t *testing.T) {
	logs := memstore.NewLogs()
	t0 := time.Date(2030, 1, 2, 12, 0, 0, 0, time.UTC)
	var now atomic.Pointer[time.Time]
	now.Store(&t0)
	a := NewAccessLog(AccessLogOptions{Logs: logs, PruneInterval: 2 * time.Millisecond, Now: func() time.Time { return *now.Load() }})
	s := store.DefaultSettings()
	s.LogRetentionAge = store.Duration(time.Hour)
	a.Apply(s)
	var recs []store.LogRecord
	for i := range 30 { // one record a minute, from 30 minutes before t0
		recs = append(recs, testRecord("acme", t0.Add(-time.Duration(30-i)*time.Minute), 200, i))
	}
	if err := logs.AppendLogs(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	runLog(t, a)
	waitFor(t, "two retention passes", func() bool { return a.Stats().PrunePasses >= 2 })
	if got := logCount(t, logs); got != 30 {
		t.Fatalf("%d records left, want all 30: none is an hour old", got)
	}

	later := t0.Add(49*time.Minute + 30*time.Second) // the 20 records before 11:49:30 go
	now.Store(&later)
	waitFor(t, "20 records pruned after the clock moved", func() bool { return logCount(t, logs) == 10 })

	s.LogRetentionPerTenant = 4
	a.Apply(s)
	waitFor(t, "a per-tenant bound applied live", func() bool { return logCount(t, logs) == 4 })
	waitFor(t, "Pruned to count 26", func() bool { return a.Stats().Pruned == 26 })
}

// waitFor polls cond for up to 5s; the loops under test run every few
// milliseconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

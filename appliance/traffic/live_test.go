package traffic

import (
	"fmt"
	"io"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

// clock is a fake clock tests move.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

func rec(tenant string, at time.Time, status int, d time.Duration, outcome string) *store.LogRecord {
	return &store.LogRecord{Time: at.Add(-d), Tenant: tenant, Status: status, Duration: d, Outcome: outcome,
		BytesIn: 10, BytesOut: 100, Upstream: "http://127.0.0.1:8080", UpstreamLatency: d / 2}
}

func stats(t *testing.T, l *Live, slug string) TenantStats {
	t.Helper()
	for _, ts := range l.Snapshot().Tenants {
		if ts.Tenant == slug {
			return ts
		}
	}
	t.Fatalf("tenant %q is not in the snapshot", slug)
	return TenantStats{}
}

// Ensure that the snapshot's rates, error ratio, percentiles and totals
// follow the requests observed, second by second.
func TestLiveSnapshot(t *testing.T) {
	c := &clock{now: time.Unix(1_800_000_000, 0)}
	l := NewLive(LiveOptions{Now: c.Now})
	// 60 seconds: 10 requests a second, one of them a 502, latencies 1..10 ms.
	for s := 0; s < 60; s++ {
		for i := 1; i <= 10; i++ {
			st, o := 200, store.OutcomeAllowed
			if i == 10 {
				st, o = 502, store.OutcomeUpstreamFail
			}
			l.Observe(rec("acme", c.Now().Add(100*time.Millisecond), st, time.Duration(i)*time.Millisecond, o))
		}
		c.advance(time.Second)
		l.Tick()
	}
	l.Observe(rec("acme", c.Now(), 429, time.Millisecond, store.OutcomeRateLimited))
	got := stats(t, l, "acme")
	if got.Rate1 != 10 || got.Rate10 != 10 || got.Rate60 != 10 {
		t.Errorf("rates %v %v %v, want 10 each", got.Rate1, got.Rate10, got.Rate60)
	}
	if got.ErrorRatio != 0.1 {
		t.Errorf("error ratio %v, want 0.1", got.ErrorRatio)
	}
	// Percentiles are within the histogram's 25%.
	for _, p := range []struct {
		got, want time.Duration
	}{{got.P50, 5 * time.Millisecond}, {got.P90, 9 * time.Millisecond}, {got.P99, 10 * time.Millisecond}} {
		if p.got < p.want*3/4 || p.got > p.want*5/4 {
			t.Errorf("percentile %v, want about %v", p.got, p.want)
		}
	}
	if got.Requests != 601 || got.Status[2] != 540 || got.Status[5] != 60 || got.Status[4] != 1 ||
		got.RateLimited != 1 || got.UpstreamErrors != 60 || got.BytesIn != 6010 || got.BytesOut != 60100 {
		t.Errorf("totals %+v", got)
	}
	if len(got.Backends) != 1 || got.Backends[0].Requests != 601 || got.Backends[0].Errors != 60 {
		t.Errorf("backends %+v", got.Backends)
	}
	// A quiet minute: rates fall to 0; five quiet minutes: the tenant is idle.
	c.advance(71 * time.Second) // percentiles read whole ten-second slots: 60 to 70 s
	l.Tick()
	if got := stats(t, l, "acme"); got.Rate60 != 0 || got.P99 != 0 || got.Requests != 601 {
		t.Errorf("after a quiet minute: rate %v p99 %v requests %d", got.Rate60, got.P99, got.Requests)
	}
	c.advance(5 * time.Minute)
	l.Tick()
	if n := len(l.Snapshot().Tenants); n != 0 {
		t.Errorf("%d active tenants after five quiet minutes, want 0", n)
	}
}

// Ensure that a request in flight makes its tenant active and is counted
// until it ends.
func TestLiveInFlight(t *testing.T) {
	l := NewLive(LiveOptions{})
	f := l.Begin("acme")
	if got := stats(t, l, "acme"); got.InFlight != 1 {
		t.Errorf("in flight %d, want 1", got.InFlight)
	}
	f.End()
	if n := len(l.Snapshot().Tenants); n != 0 {
		t.Errorf("%d active tenants, want 0", n)
	}
}

// Ensure that every Tick publishes one frame that all watchers see.
func TestLiveFrames(t *testing.T) {
	l := NewLive(LiveOptions{})
	first := l.Latest()
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() { defer wg.Done(); <-first.Next() }()
	}
	l.Observe(rec("acme", time.Now(), 200, time.Millisecond, store.OutcomeAllowed))
	l.Tick()
	wg.Wait()
	if f := l.Latest(); f == first || len(f.Snapshot.Tenants) != 1 {
		t.Errorf("latest frame %p (first %p) has %d tenants, want a new frame with 1", f, first, len(f.Snapshot.Tenants))
	}
}

// Ensure that tenants past the budget are folded into _other, that the
// assignment is sticky, and that a raised budget labels only tenants seen
// later.
func TestLiveBudget(t *testing.T) {
	l := NewLive(LiveOptions{Budget: 2})
	for _, s := range []string{"a", "b", "c"} {
		l.Observe(rec(s, time.Now(), 200, time.Millisecond, store.OutcomeAllowed))
	}
	want := map[string]string{"a": "a", "b": "b", "c": LabelOther, "": LabelUnknown}
	for slug, label := range want {
		if got := l.TenantLabel(slug); got != label {
			t.Errorf("label of %q is %q, want %q", slug, got, label)
		}
	}
	l.SetBudget(3)
	if got := l.TenantLabel("c"); got != LabelOther {
		t.Errorf("c moved to %q after the budget grew; labels are sticky", got)
	}
	if got := l.TenantLabel("d"); got != "d" {
		t.Errorf("d got %q, want its own label", got)
	}
	if b, n := l.Budget(); b != 3 || n != 3 {
		t.Errorf("budget %d, labelled %d; want 3, 3", b, n)
	}
}

// Ensure that an idle tenant costs at most about 2 KB and report what an
// idle and an active one cost (go test -v).
func TestLiveMemory(t *testing.T) {
	const n = 2000
	measure := func(active bool) float64 {
		l := NewLive(LiveOptions{Budget: n})
		slugs := make([]string, n)
		for i := range slugs {
			slugs[i] = fmt.Sprintf("tenant-%05d", i)
		}
		before := heap()
		now := time.Now()
		for _, s := range slugs {
			if active {
				l.Observe(rec(s, now, 200, time.Millisecond, store.OutcomeAllowed))
			} else {
				l.TenantLabel(s) // known to the metrics, no traffic in five minutes
			}
		}
		after := heap()
		runtime.KeepAlive(l)
		return float64(after-before) / n
	}
	idle, active := measure(false), measure(true)
	t.Logf("memory per tenant: idle %.0f B, active %.0f B (labelled, one backend)", idle, active)
	if idle > 2300 {
		t.Errorf("an idle tenant costs %.0f B, want at most about 2 KB", idle)
	}
	// One request: its entry, a 64-second ring and one latency slot (a
	// five-minute ring with every latency slot was 12.6 KB).
	if active > idle+3000 {
		t.Errorf("a tenant with one request costs %.0f B, %.0f B more than an idle one; want at most 3 KB more", active, active-idle)
	}
}

// Ensure that Run drops a tenant's ring once it holds nothing the
// snapshot reads, that the tenant stays listed with its totals and zero
// rates until five minutes after its last request, and that a request
// after the drop is counted in a new ring.
func TestLiveDropsIdleRings(t *testing.T) {
	c := &clock{now: time.Unix(1_800_000_000, 0)}
	l := NewLive(LiveOptions{Now: c.Now})
	var tn *tenant
	for range 5 {
		l.Observe(rec("acme", c.Now(), 200, time.Millisecond, store.OutcomeAllowed))
		tn = l.tenantFor("acme")
	}
	c.advance(time.Second)
	l.Tick()
	if got := stats(t, l, "acme"); got.Rate1 != 5 || got.P50 == 0 {
		t.Fatalf("just after: rate %v p50 %v, want 5 and a latency", got.Rate1, got.P50)
	}
	for range ringKeep - 1 { // to the last second of ringKeep
		c.advance(time.Second)
		l.Tick()
		if tn.ring.Load() == nil {
			t.Fatalf("ring dropped at %v, while the snapshot still reads it", c.Now().Sub(time.Unix(1_800_000_000, 0)))
		}
	}
	c.advance(time.Second)
	l.Tick()
	if tn.ring.Load() != nil {
		t.Fatal("ring still held more than ringKeep seconds after the last request")
	}
	if got := stats(t, l, "acme"); got.Requests != 5 || got.Rate60 != 0 || got.P99 != 0 {
		t.Errorf("idle but listed: requests %d rate %v p99 %v, want 5, 0, 0", got.Requests, got.Rate60, got.P99)
	}
	c.advance((activeSeconds - ringKeep) * time.Second)
	l.Tick()
	if n := len(l.Snapshot().Tenants); n != 0 {
		t.Errorf("%d tenants listed five minutes after the last request, want 0", n)
	}
	l.Observe(rec("acme", c.Now(), 500, time.Millisecond, store.OutcomeAllowed))
	c.advance(time.Second)
	if got := stats(t, l, "acme"); got.Rate1 != 1 || got.ErrorRatio != 1 || got.Requests != 6 {
		t.Errorf("after the drop: rate %v error ratio %v requests %d, want 1, 1, 6", got.Rate1, got.ErrorRatio, got.Requests)
	}
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Ensure that observing, ticking, snapshotting and scraping at once is
// safe (run with -race) and loses no total.
func TestLiveConcurrent(t *testing.T) {
	l := NewLive(LiveOptions{Budget: 3})
	const workers, each = 4, 2000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				slug := fmt.Sprintf("t%d", (w+i)%6)
				f := l.Begin(slug)
				l.Observe(rec(slug, time.Now(), 200, time.Millisecond, store.OutcomeAllowed))
				f.End()
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			l.Tick()
			l.WritePrometheus(io.Discard)
		}
	}()
	wg.Wait()
	<-done
	var total uint64
	for _, ts := range l.Snapshot().Tenants {
		total += ts.Requests
		if ts.InFlight != 0 {
			t.Errorf("%s: %d in flight after every request ended", ts.Tenant, ts.InFlight)
		}
	}
	if total != workers*each {
		t.Errorf("%d requests counted, want %d", total, workers*each)
	}
}

// Ensure that Tick copies no tenant's numbers while nobody asks for
// frames, that Latest then returns a frame with the current numbers, and
// that Tick computes them again while someone asks.
func TestLiveFramesOnDemand(t *testing.T) {
	c := &clock{now: time.Unix(1_800_000_000, 0)}
	l := NewLive(LiveOptions{Now: c.Now})
	c.advance(time.Hour) // the last ask (none) is long ago
	l.Observe(rec("acme", c.Now(), 200, time.Millisecond, store.OutcomeAllowed))
	l.Tick()
	if f := l.frame.Load(); f.Snapshot != nil {
		t.Fatalf("Tick computed a snapshot of %d tenants with nobody watching", len(f.Snapshot.Tenants))
	}
	f := l.Latest()
	if f.Snapshot == nil || len(f.Snapshot.Tenants) != 1 || f.Snapshot.Tenants[0].Requests != 1 {
		t.Fatalf("Latest with nobody watching before: %+v, want acme's one request", f.Snapshot)
	}
	if again := l.Latest(); again != f {
		t.Fatal("a second Latest computed another frame")
	}
	c.advance(time.Second)
	l.Tick()
	select {
	case <-f.Next():
	default:
		t.Fatal("Tick did not close the frame's Next")
	}
	if g := l.frame.Load(); g.Snapshot == nil {
		t.Fatal("Tick computed no snapshot a second after a Latest")
	}
}

package balance

import (
	"testing"
	"time"
)

// Ensure that a breaker goes closed -> open -> half-open -> closed, and
// from half-open back to open when a probe fails, on an injected clock.
func TestBreakerTransitions(t *testing.T) {
	now := time.Unix(1000, 0)
	clock := func() time.Time { return now }
	b := NewBreaker(BreakerConf{ErrorRatio: 0.5, Window: 10 * time.Second, MinRequests: 4, Cooldown: 5 * time.Second, Probes: 2}, clock)
	done := func(ok bool) {
		t.Helper()
		tk, allowed, _ := b.Allow()
		if !allowed {
			t.Fatalf("refused in state %s", b.State().State)
		}
		tk.Done(ok, time.Millisecond)
	}
	want := func(s string) {
		t.Helper()
		if got := b.State().State; got != s {
			t.Fatalf("state = %s, want %s", got, s)
		}
	}
	done(false)
	done(false)
	done(false) // 3 errors but fewer than MinRequests
	want(BreakerClosed)
	done(true) // 3 of 4 failed
	want(BreakerOpen)
	if _, ok, ra := b.Allow(); ok || ra != 5*time.Second {
		t.Fatalf("open: allowed=%v retryAfter=%v", ok, ra)
	}
	now = now.Add(5 * time.Second)
	want(BreakerHalfOpen)
	p1, ok1, _ := b.Allow()
	p2, ok2, _ := b.Allow()
	if _, ok3, _ := b.Allow(); !ok1 || !ok2 || ok3 {
		t.Fatalf("half-open let %v %v %v through; want 2 probes", ok1, ok2, ok3)
	}
	p1.Done(true, 0)
	want(BreakerHalfOpen)
	p2.Done(true, 0)
	want(BreakerClosed)
	if st := b.State(); st.Requests != 0 {
		t.Fatalf("closing kept %d outcomes", st.Requests)
	}

	for range 4 {
		done(false)
	}
	want(BreakerOpen)
	now = now.Add(5 * time.Second)
	p, _, _ := b.Allow()
	p.Done(false, 0)
	want(BreakerOpen)
	if st := b.State(); !st.Since.Equal(now) {
		t.Fatalf("re-opened since %v, want %v", st.Since, now)
	}
}

// Ensure that old outcomes slide out of the window and that slow answers
// count as errors when Latency is set.
func TestBreakerWindowAndLatency(t *testing.T) {
	now := time.Unix(1000, 0)
	b := NewBreaker(BreakerConf{ErrorRatio: 0.5, Latency: 100 * time.Millisecond, Window: 10 * time.Second, MinRequests: 3, Cooldown: time.Second, Probes: 1},
		func() time.Time { return now })
	for range 2 {
		tk, _, _ := b.Allow()
		tk.Done(false, 0)
	}
	now = now.Add(11 * time.Second) // both slide out
	tk, _, _ := b.Allow()
	tk.Done(false, 0)
	if st := b.State(); st.State != BreakerClosed || st.Requests != 1 {
		t.Fatalf("after the window: %+v", st)
	}
	for range 2 {
		tk, _, _ := b.Allow()
		tk.Done(true, time.Second) // a 200, but too slow
	}
	if st := b.State(); st.State != BreakerOpen {
		t.Fatalf("slow answers did not open it: %+v", st)
	}
}

// Ensure that Sync keeps a tenant's breaker state and drops tenants that
// turned it off.
func TestBreakersSync(t *testing.T) {
	bs := NewBreakers(nil)
	c := BreakerConf{ErrorRatio: 0.5, Window: time.Second, MinRequests: 1, Cooldown: time.Minute, Probes: 1}
	bs.Sync(map[uint64]BreakerConf{1: c, 2: c})
	tk, _, _ := bs.Get(1).Allow()
	tk.Done(false, 0)
	bs.Sync(map[uint64]BreakerConf{1: c})
	if bs.Get(1).State().State != BreakerOpen || bs.Get(2) != nil {
		t.Fatal("Sync lost state or kept a tenant")
	}
}

package balance

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) add(d time.Duration) { c.ns.Add(int64(d)) }
func newClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func idsOf(ups []*Upstream) (ids []uint64) {
	for _, u := range ups {
		ids = append(ids, u.ID)
	}
	return ids
}
func weightsOf(ups []*Upstream) (ws []int) {
	for _, u := range ups {
		ws = append(ws, u.Weight)
	}
	return ws
}
func newSel(reg *Registry, alg string, ups []*Upstream) Selector {
	return New(reg, Config{Algorithm: alg, PoolID: 1, IDs: idsOf(ups), Weights: weightsOf(ups)})
}

// count picks n times with keys 0..n-1 and returns picks per backend ID.
func count(sel Selector, ups []*Upstream, n int) map[uint64]int {
	got := map[uint64]int{}
	for i := 0; i < n; i++ {
		if u := sel.Select(ups, Key{Hash: uint64(i)}); u != nil {
			got[u.ID]++
		} else {
			got[0]++
		}
	}
	return got
}

// Ensure that every algorithm spreads requests as it should, skips a backend
// that goes down, and takes it back when it returns.
func TestAlgorithmsDistributionAndRecovery(t *testing.T) {
	for _, alg := range []string{"round_robin", "weighted_round_robin", "least_conn", "least_latency", "ip_hash", "header_hash", "cookie_hash", "first"} {
		t.Run(alg, func(t *testing.T) {
			reg := NewRegistry()
			u := ups(reg, 4)
			sel := newSel(reg, alg, u)
			if ll, ok := sel.(*LeastLatency); ok {
				ll.Seed(42)
			}
			const n = 4000
			got := count(sel, u, n)
			for id := uint64(1); id <= 4; id++ {
				want := n / 4
				if alg == "first" {
					want = map[uint64]int{1: n}[id]
				}
				if d := got[id] - want; d < -n/10 || d > n/10 {
					t.Fatalf("picks %v; backend %d got %d, want about %d", got, id, got[id], want)
				}
			}
			u[0].State.SetHealthy(false)
			if got := count(sel, u, n); got[1] != 0 || got[0] != 0 {
				t.Fatalf("with backend 1 down: %v", got)
			}
			u[0].State.SetHealthy(true)
			if got := count(sel, u, n); got[1] == 0 {
				t.Fatalf("backend 1 back but never picked: %v", got)
			}
			for _, x := range u {
				x.State.SetHealthy(false)
			}
			if p := sel.Select(u, Key{}); p != nil {
				t.Fatalf("picked %d with every backend down", p.ID)
			}
		})
	}
}

// Ensure that least_conn prefers the backend with fewer requests in flight
// and least_latency the faster one.
func TestLeastConnAndLatency(t *testing.T) {
	reg := NewRegistry()
	u := ups(reg, 3)
	for i := 0; i < 5; i++ {
		u[0].State.Begin()
		u[2].State.Begin()
	}
	lc := newSel(reg, "least_conn", u)
	if got := count(lc, u, 100); got[2] != 100 {
		t.Fatalf("least_conn picks %v; want all on the idle backend 2", got)
	}
	reg2 := NewRegistry()
	v := ups(reg2, 3)
	v[0].Report(true, 50*time.Millisecond, "")
	v[1].Report(true, 5*time.Millisecond, "")
	v[2].Report(true, 50*time.Millisecond, "")
	ll := newSel(reg2, "least_latency", v).(*LeastLatency)
	ll.Seed(7)
	got := count(ll, v, 3000)
	if got[2] < 1800 { // two random choices: the fast one wins every pair it is in (2/3)
		t.Fatalf("least_latency picks %v; want backend 2 about 2/3", got)
	}
}

// Ensure that consistent hashing moves only about 1/n of the keys when a
// backend is added, and none among the others.
func TestRingStableWhenBackendAdded(t *testing.T) {
	reg := NewRegistry()
	u := ups(reg, 5)
	before := NewRing(idsOf(u[:4]), weightsOf(u[:4]))
	after := NewRing(idsOf(u), weightsOf(u))
	const n = 20000
	moved, toNew := 0, 0
	for i := 0; i < n; i++ {
		k := Key{Hash: Hash(fmt.Sprint("client-", i))}
		a, b := before.Select(u[:4], k), after.Select(u, k)
		if a.ID != b.ID {
			moved++
			if b.ID == 5 {
				toNew++
			}
		}
	}
	if moved != toNew {
		t.Fatalf("%d keys moved between old backends", moved-toNew)
	}
	if f := float64(moved) / n; f < 0.12 || f > 0.28 {
		t.Fatalf("%.1f%% of keys moved; want about 20%%", f*100)
	}
}

// Ensure that a drained backend gets no new request from any algorithm.
func TestDrainedNeverPicked(t *testing.T) {
	for _, alg := range []string{"round_robin", "least_conn", "least_latency", "ip_hash", "first"} {
		reg := NewRegistry()
		u := ups(reg, 3)
		u[0].Drained = true
		if got := count(newSel(reg, alg, u), u, 500); got[1] != 0 {
			t.Fatalf("%s picked drained backend 1: %v", alg, got)
		}
	}
}

// Ensure that consecutive failures eject a backend for a cool-down that
// doubles on repeat, that it comes back after it, and that slow start
// then ramps its share up.
func TestPassiveEjectionAndSlowStart(t *testing.T) {
	clk := newClock()
	reg := NewRegistryClock(clk.now)
	u := ups(reg, 2)
	conf := &Conf{MaxFails: 3, Cooldown: 10 * time.Second, SlowStart: 100 * time.Second}
	for _, x := range u {
		x.Conf = conf
	}
	sel := newSel(reg, "round_robin", u)
	fail := func() {
		for i := 0; i < 3; i++ {
			u[0].Report(false, 0, "dial tcp: connection refused")
		}
	}
	fail()
	if h := u[0].State.Health(); h.State != Ejected || h.LastError != "dial tcp: connection refused" || u[0].State.Cooldown() != 10*time.Second {
		t.Fatalf("after 3 failures: %+v, cooldown %s", h, u[0].State.Cooldown())
	}
	if got := count(sel, u, 100); got[1] != 0 {
		t.Fatalf("ejected backend picked: %v", got)
	}
	clk.add(10 * time.Second)
	count(sel, u, 1) // lets it back
	fail()
	if c := u[0].State.Cooldown(); c != 20*time.Second {
		t.Fatalf("second ejection lasts %s, want 20s", c)
	}
	clk.add(20 * time.Second)
	// Slow start: 10% into the ramp it gets a small share; at the end, half.
	clk.add(10 * time.Second)
	if got := count(sel, u, 2000); got[1] < 40 || got[1] > 250 {
		t.Fatalf("10%% into slow start: %v", got)
	}
	clk.add(100 * time.Second)
	if got := count(sel, u, 2000); got[1] != 1000 {
		t.Fatalf("after slow start: %v", got)
	}
	// Stays in long enough: the next ejection starts from the base again.
	clk.add(time.Minute)
	fail()
	if c := u[0].State.Cooldown(); c != 10*time.Second {
		t.Fatalf("ejection after a good spell lasts %s, want 10s", c)
	}
}

// Ensure that a sticky cookie names its backend and a forged one is refused.
func TestStickyCookie(t *testing.T) {
	s := NewSticky([]byte("secret"))
	v := s.Value(7, 42)
	if id, ok := s.Check(7, v); !ok || id != 42 {
		t.Fatalf("Check(%q) = %d, %v", v, id, ok)
	}
	for _, bad := range []string{v[:len(v)-1] + "0", "43" + v[2:], "", "x.y"} {
		if _, ok := s.Check(7, bad); ok && bad != v {
			t.Fatalf("forged cookie %q accepted", bad)
		}
	}
	if _, ok := s.Check(8, v); ok {
		t.Fatal("cookie of another pool accepted")
	}
}

// Ensure that the active checker takes a backend whose listener stops out
// after the unhealthy threshold and brings it back once it listens again.
func TestActiveHealthStopStart(t *testing.T) {
	ok := atomic.Bool{}
	ok.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			w.WriteHeader(404)
		}
	}))
	addr := srv.Listener.Addr().String()
	reg := NewRegistry()
	u := ups(reg, 1)
	u[0].URL, _ = url.Parse(srv.URL)
	c := NewChecker(nil)
	ctx, cancel := contextWithCancel(t)
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	c.Set([]Target{{PoolID: 1, Path: "/healthz", Interval: 5 * time.Millisecond, Timeout: 200 * time.Millisecond,
		StatusLo: 200, StatusHi: 399, Healthy: 2, Unhealthy: 2, Upstreams: u}})
	srv.Close()
	waitFor(t, "unhealthy", func() bool { return !u[0].State.Healthy() })
	if h := u[0].State.Health(); h.State != Unhealthy || h.LastError == "" || h.Changed.IsZero() {
		t.Fatalf("health %+v", h)
	}
	srv2 := restartOn(t, addr)
	defer srv2.Close()
	waitFor(t, "healthy again", func() bool { return u[0].State.Healthy() })
	cancel()
	<-done
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

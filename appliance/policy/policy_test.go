package policy

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock with timers the test fires.
type clock struct {
	mu     sync.Mutex
	t      time.Time
	timers []chan time.Time
}

func newClock() *clock { return &clock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func (c *clock) After(time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, ch)
	return ch
}

// fire fires every timer started so far.
func (c *clock) fire() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.timers {
		ch <- c.t
	}
	c.timers = nil
}

func (c *clock) waitTimers(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		got := len(c.timers)
		c.mu.Unlock()
		if got >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("no %d queued waiters", n)
}

func newReg(c *clock, cfg Config) *Registry {
	r := New(Options{Now: c.Now, After: c.After})
	r.Sync([]Tenant{{ID: 1, Slug: "acme", Config: cfg}})
	return r
}

func req(remote string, hdr ...string) *http.Request {
	r := httptest.NewRequest("GET", "http://acme.test/x?y=1", nil)
	r.RemoteAddr = remote
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	return r
}

func check(r *Registry, rq *http.Request, trusted ...netip.Prefix) (Verdict, http.Header) {
	h := http.Header{}
	return r.Check(1, rq, h, trusted), h
}

func TestTenantRate(t *testing.T) {
	// Ensure that the tenant's bucket allows burst requests, then answers
	// 429 with Retry-After and RateLimit-* until time refills it.
	c := newClock()
	r := newReg(c, Config{Rate: 2, Burst: 3})
	for i := range 3 {
		if v, _ := check(r, req("192.0.2.1:1")); v.Status != 0 {
			t.Fatalf("request %d: %d", i, v.Status)
		}
	}
	v, h := check(r, req("192.0.2.2:1"))
	if v.Status != 429 || h.Get("Retry-After") != "1" || h.Get("RateLimit-Limit") != "3" ||
		h.Get("RateLimit-Remaining") != "0" || h.Get("RateLimit-Reset") != "1" {
		t.Fatalf("over the limit: %d %v", v.Status, h)
	}
	c.Add(500 * time.Millisecond)
	if v, _ := check(r, req("192.0.2.1:1")); v.Status != 0 {
		t.Fatalf("after refill: %d", v.Status)
	}
	if v, _ := check(r, req("192.0.2.1:1")); v.Status != 429 {
		t.Fatalf("refill gave more than one token: %d", v.Status)
	}
}

func TestLimiterKeptAcrossSync(t *testing.T) {
	// Ensure that a rebuild keeps a tripped bucket tripped, and that a
	// changed rate applies to the same bucket in place.
	c := newClock()
	cfg := Config{Rate: 1, Burst: 1}
	r := newReg(c, cfg)
	check(r, req("192.0.2.1:1"))
	r.Sync([]Tenant{{ID: 1, Slug: "acme", Config: cfg}})
	if v, _ := check(r, req("192.0.2.1:1")); v.Status != 429 {
		t.Fatalf("after an unchanged rebuild: %d, want 429", v.Status)
	}
	r.Sync([]Tenant{{ID: 1, Slug: "acme", Config: Config{Rate: 10, Burst: 1}}})
	c.Add(100 * time.Millisecond)
	if v, _ := check(r, req("192.0.2.1:1")); v.Status != 0 {
		t.Fatalf("after raising the rate and 100ms: %d, want 0", v.Status)
	}
	r.Sync([]Tenant{{ID: 1, Slug: "acme"}})
	for range 5 {
		if v, _ := check(r, req("192.0.2.1:1")); v.Status != 0 {
			t.Fatalf("rate off: %d", v.Status)
		}
	}
}

func TestIPRate(t *testing.T) {
	// Ensure that each client IP has its own bucket, and that 100k distinct
	// IPs leave at most MaxIPsPerTenant limiters behind.
	c := newClock()
	r := newReg(c, Config{IPRate: 1, IPBurst: 1})
	if v, _ := check(r, req("192.0.2.1:1")); v.Status != 0 {
		t.Fatal(v.Status)
	}
	if v, h := check(r, req("192.0.2.1:2")); v.Status != 429 || h.Get("Retry-After") != "1" {
		t.Fatalf("same IP again: %d %v", v.Status, h)
	}
	if v, _ := check(r, req("192.0.2.9:1")); v.Status != 0 {
		t.Fatalf("another IP: %d", v.Status)
	}
	for i := range 100_000 {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		check(r, req(netip.AddrPortFrom(a, 1).String()))
	}
	if n := r.IPs(1); n != MaxIPsPerTenant {
		t.Fatalf("%d per-IP limiters after 100k IPs, want %d", n, MaxIPsPerTenant)
	}
}

func TestConcurrency(t *testing.T) {
	// Ensure that max-in-flight refuses the excess with 503 at once when
	// there is no queue, and that a queued request gets a released slot
	// or times out.
	c := newClock()
	r := newReg(c, Config{MaxInFlight: 1})
	v1, _ := check(r, req("192.0.2.1:1"))
	if v1.Status != 0 || v1.Slot == nil {
		t.Fatalf("first: %+v", v1)
	}
	if v, h := check(r, req("192.0.2.1:1")); v.Status != 503 || h.Get("Retry-After") == "" {
		t.Fatalf("second without a queue: %d", v.Status)
	}
	v1.Slot.Release()
	v3, _ := check(r, req("192.0.2.1:1"))
	if v3.Status != 0 {
		t.Fatalf("after release: %d", v3.Status)
	}

	r.Sync([]Tenant{{ID: 1, Slug: "acme", Config: Config{MaxInFlight: 1, Queue: 1, QueueTimeout: time.Second}}})
	got := make(chan Verdict, 2)
	go func() { v, _ := check(r, req("192.0.2.1:1")); got <- v }()
	c.waitTimers(t, 1)
	if v, _ := check(r, req("192.0.2.1:1")); v.Status != 503 {
		t.Fatalf("with the queue full: %d", v.Status)
	}
	if run, q := r.InFlight(1); run != 1 || q != 1 {
		t.Fatalf("in flight %d queued %d", run, q)
	}
	v3.Slot.Release()
	v4 := <-got
	if v4.Status != 0 || v4.Slot == nil {
		t.Fatalf("queued request after release: %+v", v4)
	}
	go func() { v, _ := check(r, req("192.0.2.1:1")); got <- v }()
	c.waitTimers(t, 2) // the first timer was never fired; a second waiter came
	c.fire()
	if v := <-got; v.Status != 503 {
		t.Fatalf("queued request after timeout: %d", v.Status)
	}
	v4.Slot.Release()
	if run, q := r.InFlight(1); run != 0 || q != 0 {
		t.Fatalf("at the end: in flight %d queued %d", run, q)
	}
}

func TestQueueContextCancel(t *testing.T) {
	// Ensure that a queued request whose client goes away leaves the queue.
	c := newClock()
	r := newReg(c, Config{MaxInFlight: 1, Queue: 5, QueueTimeout: time.Second})
	v1, _ := check(r, req("192.0.2.1:1"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Verdict)
	go func() { v, _ := check(r, req("192.0.2.1:1").WithContext(ctx)); done <- v }()
	c.waitTimers(t, 1)
	cancel()
	if v := <-done; v.Status != 503 {
		t.Fatalf("cancelled waiter: %d", v.Status)
	}
	v1.Slot.Release()
	if run, q := r.InFlight(1); run != 0 || q != 0 {
		t.Fatalf("in flight %d queued %d", run, q)
	}
}

func TestIPRules(t *testing.T) {
	// Ensure that deny wins over allow, allow admits only its CIDRs, and
	// X-Forwarded-For counts only from a trusted proxy.
	c := newClock()
	cfg := Config{Allow: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")},
		Deny: []netip.Prefix{netip.MustParsePrefix("203.0.113.66/32")}}
	r := newReg(c, cfg)
	proxy := netip.MustParsePrefix("10.0.0.0/8")
	cases := []struct {
		name    string
		rq      *http.Request
		trusted []netip.Prefix
		want    int
	}{
		{"allowed peer", req("203.0.113.5:1"), nil, 0},
		{"denied peer", req("203.0.113.66:1"), nil, 403},
		{"peer outside allow", req("198.51.100.1:1"), nil, 403},
		{"v4-mapped peer", req("[::ffff:203.0.113.5]:1"), nil, 0},
		{"untrusted XFF ignored", req("198.51.100.1:1", "X-Forwarded-For", "203.0.113.5"), []netip.Prefix{proxy}, 403},
		{"trusted XFF", req("10.1.1.1:1", "X-Forwarded-For", "203.0.113.5"), []netip.Prefix{proxy}, 0},
		{"trusted XFF chain", req("10.1.1.1:1", "X-Forwarded-For", "1.2.3.4, 203.0.113.5, 10.2.2.2"), []netip.Prefix{proxy}, 0},
		{"spoofed left hop", req("10.1.1.1:1", "X-Forwarded-For", "203.0.113.5, 198.51.100.1"), []netip.Prefix{proxy}, 403},
		{"denied via XFF", req("10.1.1.1:1", "X-Forwarded-For", "203.0.113.66"), []netip.Prefix{proxy}, 403},
		{"trusted peer no XFF", req("10.1.1.1:1"), []netip.Prefix{proxy}, 403},
		{"malformed XFF", req("10.1.1.1:1", "X-Forwarded-For", "junk"), []netip.Prefix{proxy}, 403},
	}
	for _, tc := range cases {
		if v, _ := check(r, tc.rq, tc.trusted...); v.Status != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, v.Status, tc.want)
		}
	}
}

func keyOf(tok string) Key { return Key{Name: "ci", Hash: sha256.Sum256([]byte(tok))} }

func TestAPIKeys(t *testing.T) {
	// Ensure that required keys refuse a request without one (401 with
	// WWW-Authenticate), accept a good one by either header, refuse a bad
	// or expired one, that optional refuses only a bad one, and that use
	// is recorded for the last-used flush.
	c := newClock()
	good := "fy_abcdefgh_" + "s3cr3ts3cr3ts3cr3ts3cr3ts3cr3t"
	k := keyOf(good)
	k.Expires = c.Now().Add(time.Hour)
	cfg := Config{APIKeys: KeysRequired, Keys: map[string]Key{"abcdefgh": k}}
	r := newReg(c, cfg)
	v, h := check(r, req("192.0.2.1:1"))
	if v.Status != 401 || h.Get("WWW-Authenticate") != `Bearer realm="foyer"` {
		t.Fatalf("no key: %d %v", v.Status, h)
	}
	if v, _ := check(r, req("192.0.2.1:1", "Authorization", "Bearer "+good)); v.Status != 0 || v.Key != "ci" {
		t.Fatalf("good bearer: %+v", v)
	}
	if v, _ := check(r, req("192.0.2.1:1", "X-API-Key", good)); v.Status != 0 {
		t.Fatalf("good X-API-Key: %+v", v)
	}
	for _, bad := range []string{good + "x", "fy_abcdefgh_nope", "fy_zzzzzzzz_" + good[12:], "nope", "fy_"} {
		v, h := check(r, req("192.0.2.1:1", "X-API-Key", bad))
		if v.Status != 401 || h.Get("WWW-Authenticate") != `Bearer realm="foyer", error="invalid_token"` {
			t.Fatalf("bad key %q: %d %v", bad, v.Status, h)
		}
	}
	used := r.UsedKeys()
	if at, ok := used["acme/abcdefgh"]; len(used) != 1 || !ok || !at.Equal(c.Now()) {
		t.Fatalf("used = %v", used)
	}
	if len(r.UsedKeys()) != 0 {
		t.Fatal("UsedKeys did not forget what it returned")
	}
	c.Add(time.Hour)
	if v, _ := check(r, req("192.0.2.1:1", "X-API-Key", good)); v.Status != 401 || v.Msg != msgExpired {
		t.Fatalf("expired: %+v", v)
	}
	cfg.APIKeys = KeysOptional
	r.Sync([]Tenant{{ID: 1, Slug: "acme", Config: cfg}})
	if v, _ := check(r, req("192.0.2.1:1")); v.Status != 0 {
		t.Fatalf("optional, no key: %d", v.Status)
	}
	if v, _ := check(r, req("192.0.2.1:1", "X-API-Key", "fy_abcdefgh_wrong")); v.Status != 401 {
		t.Fatalf("optional, bad key: %d", v.Status)
	}
}

func TestMaintenanceAndRedirect(t *testing.T) {
	// Ensure that maintenance answers 503 with its message before anything
	// else, and that redirect-https sends plain HTTP to the same URL over
	// HTTPS (301 for GET, 308 otherwise) but not a trusted proxy's HTTPS.
	c := newClock()
	r := newReg(c, Config{Maintenance: true, Message: "back at noon", RedirectHTTPS: true})
	if v, _ := check(r, req("192.0.2.1:1")); v.Status != 503 || v.Msg != "back at noon" {
		t.Fatalf("maintenance: %+v", v)
	}
	r.Sync([]Tenant{{ID: 1, Slug: "acme", Config: Config{RedirectHTTPS: true}}})
	rq := req("192.0.2.1:1")
	rq.Host = "acme.test:8080"
	v, h := check(r, rq)
	if v.Status != 301 || h.Get("Location") != "https://acme.test/x?y=1" {
		t.Fatalf("redirect: %d %v", v.Status, h)
	}
	rq.Method = "POST"
	if v, _ := check(r, rq); v.Status != 308 {
		t.Fatalf("POST redirect: %d", v.Status)
	}
	proxy := netip.MustParsePrefix("10.0.0.0/8")
	if v, _ := check(r, req("10.0.0.1:1", "X-Forwarded-Proto", "https"), proxy); v.Status != 0 {
		t.Fatalf("trusted proxy's https: %d", v.Status)
	}
	if v, _ := check(r, req("192.0.2.1:1", "X-Forwarded-Proto", "https"), proxy); v.Status != 301 {
		t.Fatalf("untrusted X-Forwarded-Proto: %d", v.Status)
	}
}

func TestSyncDuringTraffic(t *testing.T) {
	// Ensure (under -race) that checks may run while Sync turns limits on
	// and off and changes them, and that no slot is lost.
	r := New(Options{})
	cfgs := []Config{{}, {Rate: 1000, Burst: 10, IPRate: 100, IPBurst: 5, MaxInFlight: 3, Queue: 2, QueueTimeout: time.Millisecond},
		{Rate: 5, IPRate: 1, MaxInFlight: 1, APIKeys: KeysOptional}}
	r.Sync([]Tenant{{ID: 1, Slug: "acme", Config: cfgs[1]}})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				v := r.Check(1, req("192.0.2."+strconv.Itoa(g*50+i%50)+":1"), http.Header{}, nil)
				v.Slot.Release()
			}
		}()
	}
	for i := range 200 {
		r.Sync([]Tenant{{ID: 1, Slug: "acme", Config: cfgs[i%len(cfgs)]}})
	}
	close(stop)
	wg.Wait()
	r.Sync([]Tenant{{ID: 1, Slug: "acme"}})
	if run, q := r.InFlight(1); run != 0 || q != 0 {
		t.Fatalf("after the storm: in flight %d, queued %d", run, q)
	}
}

func TestUnknownTenant(t *testing.T) {
	// Ensure that a tenant the registry does not know is let through.
	r := New(Options{})
	if v := r.Check(99, req("192.0.2.1:1"), http.Header{}, nil); v.Status != 0 {
		t.Fatal(v.Status)
	}
}

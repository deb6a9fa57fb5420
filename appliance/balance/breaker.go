package balance

import (
	"sync"
	"sync/atomic"
	"time"
)

// BreakerConf is one tenant's circuit-breaker settings.
type BreakerConf struct {
	ErrorRatio  float64       // share of errors in the window that opens the breaker
	Latency     time.Duration // an answer slower than this counts as an error; 0 ignores latency
	Window      time.Duration // the sliding window of outcomes
	MinRequests int           // outcomes in the window before it may open
	Cooldown    time.Duration // open -> half-open after this long
	Probes      int           // requests let through half-open; all must succeed to close
}

// Breaker states, as BreakerState.State names them.
const (
	BreakerClosed   = "closed"
	BreakerOpen     = "open"
	BreakerHalfOpen = "half_open"
)

// breakerBuckets is how many time buckets the window is cut into.
const breakerBuckets = 10

// Breaker is one tenant's circuit breaker over its pool: a sliding window
// of outcomes in time buckets; when the share of errors reaches
// ErrorRatio with at least MinRequests outcomes it opens and refuses
// requests for Cooldown; then it lets Probes requests through (half-open):
// if all succeed it closes, if one fails it opens again.
type Breaker struct {
	now      func() time.Time
	id       uint64      // the tenant's ID, for onChange
	onChange BreakerFunc // told of state changes (Breakers.OnChange); nil: nobody

	mu      sync.Mutex // guards everything below
	conf    BreakerConf
	state   string
	since   time.Time // when state began
	buckets [breakerBuckets]bucket
	probes  int // half-open: probes let through
	passed  int // half-open: probes that succeeded
}

type bucket struct {
	start       int64 // unix nanoseconds the bucket covers from
	total, errs int
}

// BreakerState is a breaker's state for the API.
type BreakerState struct {
	State      string    // BreakerClosed, BreakerOpen or BreakerHalfOpen
	Since      time.Time // when it entered State
	Requests   int       // outcomes in the window
	ErrorRatio float64   // their share of errors
	HalfOpenAt time.Time // open: when it lets probes through
}

// Ticket is what Allow hands a request the breaker lets through; the
// request reports its outcome with Done.
type Ticket struct {
	b     *Breaker
	probe bool
	since time.Time // the state the ticket was issued in, to ignore stale outcomes
}

// NewBreaker returns a closed breaker with c on clock now.
func NewBreaker(c BreakerConf, now func() time.Time) *Breaker {
	return &Breaker{now: now, conf: c, state: BreakerClosed, since: now()}
}

// setConf changes the settings, keeping the state.
func (b *Breaker) setConf(c BreakerConf) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c.Window != b.conf.Window {
		b.buckets = [breakerBuckets]bucket{}
	}
	b.conf = c
}

// Allow says whether a request may go on; when it may not, retryAfter is
// how long until the breaker will let probes through.
func (b *Breaker) Allow() (t Ticket, ok bool, retryAfter time.Duration) {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == BreakerOpen {
		end := b.since.Add(b.conf.Cooldown)
		if now.Before(end) {
			return Ticket{}, false, end.Sub(now)
		}
		b.set(BreakerHalfOpen, now)
	}
	if b.state == BreakerHalfOpen {
		if b.probes >= max(b.conf.Probes, 1) {
			return Ticket{}, false, time.Second
		}
		b.probes++
		return Ticket{b: b, probe: true, since: b.since}, true, 0
	}
	return Ticket{b: b, since: b.since}, true, 0
}

// BreakerFunc is told of a tenant's breaker changing state (from and to
// are BreakerClosed, BreakerOpen or BreakerHalfOpen). It is called with
// the breaker's lock held, on the request that made the change, so it
// must return at once: hand the change on, never block, never call the
// breaker.
type BreakerFunc func(tenantID uint64, from, to string)

// set moves to state s at now; b.mu is held.
func (b *Breaker) set(s string, now time.Time) {
	if b.onChange != nil && s != b.state {
		b.onChange(b.id, b.state, s)
	}
	b.state, b.since, b.probes, b.passed = s, now, 0, 0
	if s == BreakerClosed {
		b.buckets = [breakerBuckets]bucket{}
	}
}

// Done records the outcome of a request Allow let through: ok false for a
// 5xx or an unreachable backend; latency is the time to the response
// header (0 when there was none). A zero Ticket does nothing.
func (t Ticket) Done(ok bool, latency time.Duration) {
	b := t.b
	if b == nil {
		return
	}
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	if ok && b.conf.Latency > 0 && latency > b.conf.Latency {
		ok = false
	}
	if !b.since.Equal(t.since) { // the state changed since: the outcome is stale
		return
	}
	switch b.state {
	case BreakerHalfOpen:
		if !t.probe {
			return
		}
		if !ok {
			b.set(BreakerOpen, now)
			return
		}
		if b.passed++; b.passed >= max(b.conf.Probes, 1) {
			b.set(BreakerClosed, now)
		}
	case BreakerClosed:
		bk := b.bucketAt(now)
		bk.total++
		if !ok {
			bk.errs++
		}
		total, errs := b.count(now)
		if total >= max(b.conf.MinRequests, 1) && float64(errs) >= b.conf.ErrorRatio*float64(total) {
			b.set(BreakerOpen, now)
		}
	}
}

// Release gives back a ticket whose request ended with no outcome to
// judge (the client went away, no backend could be picked): a half-open
// probe slot is freed for another request.
func (t Ticket) Release() {
	b := t.b
	if b == nil || !t.probe {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == BreakerHalfOpen && b.since.Equal(t.since) && b.probes > 0 {
		b.probes--
	}
}

// bucketAt returns the bucket for now, emptying it if it held an older
// span; b.mu is held.
func (b *Breaker) bucketAt(now time.Time) *bucket {
	span := max(int64(b.conf.Window)/breakerBuckets, 1)
	n := now.UnixNano()
	start := n - n%span
	bk := &b.buckets[(n/span)%breakerBuckets]
	if bk.start != start {
		*bk = bucket{start: start}
	}
	return bk
}

// count sums the buckets inside the window ending at now; b.mu is held.
func (b *Breaker) count(now time.Time) (total, errs int) {
	from := now.UnixNano() - int64(b.conf.Window)
	for _, bk := range b.buckets {
		if bk.start+max(int64(b.conf.Window)/breakerBuckets, 1) > from {
			total += bk.total
			errs += bk.errs
		}
	}
	return total, errs
}

// State reports the breaker's state (an open breaker whose cool-down has
// run out shows as half-open).
func (b *Breaker) State() BreakerState {
	now := b.now()
	b.mu.Lock()
	defer b.mu.Unlock()
	st := BreakerState{State: b.state, Since: b.since}
	if b.state == BreakerOpen {
		st.HalfOpenAt = b.since.Add(b.conf.Cooldown)
	}
	if b.state == BreakerOpen && !now.Before(b.since.Add(b.conf.Cooldown)) {
		st.State, st.Since, st.HalfOpenAt = BreakerHalfOpen, b.since.Add(b.conf.Cooldown), time.Time{}
	}
	total, errs := b.count(now)
	st.Requests = total
	if total > 0 {
		st.ErrorRatio = float64(errs) / float64(total)
	}
	return st
}

// Breakers keeps tenants' breakers across route-table rebuilds, keyed by
// tenant ID. Get is lock-free.
type Breakers struct {
	now      func() time.Time
	onChange BreakerFunc                         // given to every new Breaker; set by OnChange before use
	mu       sync.Mutex                          // serialises Sync
	m        atomic.Pointer[map[uint64]*Breaker] // tenant ID -> breaker; only tenants with the breaker on
}

// NewBreakers returns an empty set on clock now (time.Now if nil).
func NewBreakers(now func() time.Time) *Breakers {
	if now == nil {
		now = time.Now
	}
	bs := &Breakers{now: now}
	bs.m.Store(&map[uint64]*Breaker{})
	return bs
}

// Sync makes the set hold a breaker for exactly the tenants in confs,
// keeping the state of those it already had.
func (bs *Breakers) Sync(confs map[uint64]BreakerConf) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	old := *bs.m.Load()
	next := make(map[uint64]*Breaker, len(confs))
	for id, c := range confs {
		if b, ok := old[id]; ok {
			b.setConf(c)
			next[id] = b
			continue
		}
		b := NewBreaker(c, bs.now)
		b.id, b.onChange = id, bs.onChange
		next[id] = b
	}
	bs.m.Store(&next)
}

// OnChange makes f hear of every tenant's breaker changing state
// (BreakerFunc says how it is called). Call it before the first Sync:
// breakers created earlier do not call f.
func (bs *Breakers) OnChange(f BreakerFunc) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	bs.onChange = f
}

// Get returns tenant id's breaker, or nil when its breaker is off.
func (bs *Breakers) Get(id uint64) *Breaker { return (*bs.m.Load())[id] }

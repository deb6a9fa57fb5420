package policy

import (
	"net/netip"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// state is one tenant's runtime state and its current configuration.
type state struct {
	cfg   atomic.Pointer[compiled]
	rate  atomic.Pointer[rate.Limiter]          // the tenant's bucket; its limits follow cfg
	ips   *lru.Cache[netip.Addr, *rate.Limiter] // per-IP buckets, bounded
	slots slots
	used  atomic.Pointer[map[string]*atomic.Int64] // key ID -> last use (unix nanos; 0 = not since flush)
}

// compiled is a Config with what the request path needs ready.
type compiled struct {
	Config
	slug        string
	limitHeader string       // RateLimit-Limit value
	jwt         *jwtVerifier // nil without c.JWT; kept across configures while the key is unchanged
}

func newState(maxIPs int) *state {
	ips, err := lru.New[netip.Addr, *rate.Limiter](maxIPs)
	if err != nil {
		panic("policy: " + err.Error()) // only for a size <= 0, which New prevents
	}
	st := &state{ips: ips}
	st.rate.Store(rate.NewLimiter(rate.Inf, 0))
	st.used.Store(&map[string]*atomic.Int64{})
	return st
}

// configure applies c, changing the existing buckets in place.
func (st *state) configure(slug string, c Config, now time.Time) {
	prev := st.cfg.Load()
	if c.Rate > 0 {
		if c.Burst < 1 {
			c.Burst = 1
		}
		if prev == nil || prev.Rate <= 0 {
			// A bucket that was off starts full.
			st.rate.Store(rate.NewLimiter(rate.Limit(c.Rate), c.Burst))
		} else {
			l := st.rate.Load()
			l.SetLimitAt(now, rate.Limit(c.Rate))
			l.SetBurstAt(now, c.Burst)
		}
	}
	if c.IPRate > 0 && c.IPBurst < 1 {
		c.IPBurst = 1
	}
	if prev != nil && (prev.IPRate != c.IPRate || prev.IPBurst != c.IPBurst) {
		if c.IPRate <= 0 {
			st.ips.Purge()
		}
		for _, l := range st.ips.Values() {
			l.SetLimitAt(now, rate.Limit(c.IPRate))
			l.SetBurstAt(now, c.IPBurst)
		}
	}
	st.slots.setLimits(c.MaxInFlight, c.Queue)
	used := map[string]*atomic.Int64{}
	oldUsed := *st.used.Load()
	for id := range c.Keys {
		if u := oldUsed[id]; u != nil {
			used[id] = u
		} else {
			used[id] = new(atomic.Int64)
		}
	}
	st.used.Store(&used)
	st.cfg.Store(&compiled{Config: c, slug: slug, limitHeader: itoa(c.Burst), jwt: keepVerifier(prev, slug, c.JWT)})
}

// ipLimiter returns the bucket of a client IP, creating it (and perhaps
// evicting the least recently seen IP's) on first sight.
func (st *state) ipLimiter(ip netip.Addr, c *compiled) *rate.Limiter {
	if l, ok := st.ips.Get(ip); ok {
		return l
	}
	l := rate.NewLimiter(rate.Limit(c.IPRate), c.IPBurst)
	if prev, ok, _ := st.ips.PeekOrAdd(ip, l); ok {
		return prev
	}
	return l
}

func (st *state) markUsed(id string, now time.Time) {
	if u := (*st.used.Load())[id]; u != nil {
		u.Store(now.UnixNano())
	}
}

func (st *state) usedKeys(out map[string]time.Time) {
	c := st.cfg.Load()
	if c == nil {
		return
	}
	for id, u := range *st.used.Load() {
		if n := u.Swap(0); n != 0 {
			out[c.slug+"/"+id] = time.Unix(0, n).UTC()
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

package balance

import "sync/atomic"

// Config is what New needs to build a pool's Selector.
type Config struct {
	Algorithm string   // store.Algorithm's names: balance imports only the standard library
	PoolID    uint64   // keys the rotation or random state in the Registry
	IDs       []uint64 // backend IDs, in the order Select receives them (hash rings use them)
	Weights   []int    // backend weights, same order
}

// New returns the Selector for c's algorithm; an unknown one gets round robin.
func New(reg *Registry, c Config) Selector {
	switch c.Algorithm {
	case "least_conn":
		return &LeastConn{next: reg.counter(c.PoolID)}
	case "least_latency":
		return &LeastLatency{rnd: reg.counter(c.PoolID)}
	case "ip_hash", "header_hash", "cookie_hash":
		return NewRing(c.IDs, c.Weights)
	case "first":
		return First{}
	default:
		return NewRoundRobin(reg, c.PoolID, c.Weights)
	}
}

// LeastConn picks the backend with the fewest requests in flight per unit
// of weight; ties go to the next in turn, so an idle pool still rotates.
type LeastConn struct {
	next *atomic.Uint64
}

// Select implements Selector.
func (lc *LeastConn) Select(ups []*Upstream, _ Key) *Upstream {
	return leastConn(ups, lc.next.Add(1)-1, (*Upstream).usable)
}

// leastConn picks the usable backend with the fewest requests in flight per
// weight, scanning from start so ties rotate; if none is usable under
// slow start, the first one usable without it. usable is the real check or
// Peek's side-effect-free one.
func leastConn(ups []*Upstream, start uint64, usable func(*Upstream, uint64, bool) bool) *Upstream {
	n := uint64(len(ups))
	if n == 0 {
		return nil
	}
	var best, fallback *Upstream
	var bestLoad int64
	for i := uint64(0); i < n; i++ {
		u := ups[(start+i)%n]
		if !usable(u, start+i, true) {
			if fallback == nil && usable(u, 0, false) {
				fallback = u
			}
			continue
		}
		load := u.State.inFlight.Load()
		// load/weight < bestLoad/best.Weight, without division.
		if best == nil || load*int64(best.Weight) < bestLoad*int64(max(u.Weight, 1)) {
			best, bestLoad = u, load
		}
	}
	if best == nil {
		return fallback
	}
	return best
}

// LeastLatency takes two backends at random and picks the one with the
// lower latency average times (in flight + 1) ("power of two choices"):
// nearly as good as asking every backend, at the cost of two, and it does
// not send a herd to the one that was fastest a moment ago. A backend not
// measured yet scores 0, so new backends get tried.
type LeastLatency struct {
	rnd *atomic.Uint64 // random state, advanced per pick; tests seed it with Seed
}

// Seed sets the random state, so a test's picks are repeatable.
func (ll *LeastLatency) Seed(s uint64) { ll.rnd.Store(s) }

// Select implements Selector.
func (ll *LeastLatency) Select(ups []*Upstream, _ Key) *Upstream {
	n := uint64(len(ups))
	switch n {
	case 0:
		return nil
	case 1:
		if ups[0].usable(0, false) {
			return ups[0]
		}
		return nil
	}
	for try := 0; try < 3; try++ {
		x := mix(ll.rnd.Add(0x9e3779b97f4a7c15))
		i := (x & 0xffffffff) % n
		j := (x >> 32) % (n - 1)
		if j >= i {
			j++
		}
		a, b := ups[i], ups[j]
		okA, okB := a.usable(x, true), b.usable(x>>7, true)
		switch {
		case okA && okB:
			if score(b) < score(a) {
				return b
			}
			return a
		case okA:
			return a
		case okB:
			return b
		}
	}
	var best *Upstream // the random picks were out: the best of the rest
	for _, u := range ups {
		if u.usable(0, false) && (best == nil || score(u) < score(best)) {
			best = u
		}
	}
	return best
}

func score(u *Upstream) int64 {
	return u.State.ewma.Load() * (u.State.inFlight.Load() + 1)
}

// First picks the first usable backend in order (the order they were
// added): the rest are standbys, for failover.
type First struct{}

// Select implements Selector.
func (First) Select(ups []*Upstream, _ Key) *Upstream {
	for _, u := range ups {
		if u.usable(0, false) {
			return u
		}
	}
	return nil
}

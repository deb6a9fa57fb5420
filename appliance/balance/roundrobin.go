package balance

import "sync/atomic"

// maxSchedule bounds the weighted schedule of one pool.
const maxSchedule = 4096

// RoundRobin hands requests to a pool's backends in turn, each as often as
// its weight, skipping unhealthy ones. Its position lives in the Registry,
// so a config change does not restart the rotation.
type RoundRobin struct {
	next     *atomic.Uint64
	schedule []uint16 // indexes into the pool's upstreams, interleaved by weight
}

// NewRoundRobin returns the selector for pool poolID whose upstreams have
// the given weights (in the order Select will receive them).
func NewRoundRobin(reg *Registry, poolID uint64, weights []int) *RoundRobin {
	return &RoundRobin{next: reg.counter(poolID), schedule: schedule(weights)}
}

// schedule interleaves indexes by weight (smooth weighted round robin, as
// nginx does it), after dividing the weights by their gcd. Equal weights
// give 0,1,2,...
func schedule(weights []int) []uint16 {
	if len(weights) == 0 {
		return nil
	}
	g, total := 0, 0
	for _, w := range weights {
		g = gcd(g, max(w, 1))
	}
	ws := make([]int, len(weights))
	for i, w := range weights {
		ws[i] = max(w, 1) / g
		total += ws[i]
	}
	total = min(total, maxSchedule)
	cur := make([]int, len(ws))
	out := make([]uint16, 0, total)
	sum := 0
	for _, w := range ws {
		sum += w
	}
	for len(out) < total {
		best := 0
		for i := range ws {
			cur[i] += ws[i]
			if cur[i] > cur[best] {
				best = i
			}
		}
		cur[best] -= sum
		out = append(out, uint16(best))
	}
	return out
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Select implements Selector. A backend in slow start gives up some of its
// turns to the next in the schedule; if every usable backend is ramping and
// declines, the first usable one takes the request.
func (rr *RoundRobin) Select(ups []*Upstream, _ Key) *Upstream {
	n := uint64(len(rr.schedule))
	if n == 0 || len(ups) == 0 {
		return nil
	}
	start := rr.next.Add(1) - 1
	var fallback *Upstream
	for i := uint64(0); i < n; i++ {
		idx := int(rr.schedule[(start+i)%n])
		if idx >= len(ups) {
			continue
		}
		u := ups[idx]
		if u.usable(start+i, true) {
			return u
		}
		if fallback == nil && u.usable(0, false) {
			fallback = u
		}
	}
	return fallback
}

package balance

// Peek is the upstream sel would pick for a request with key k now,
// without advancing its rotation counter or random state and without
// changing any backend's state (an ejection that has run out is not
// ended, a slow start not finished). exact is false when the answer may
// differ from the real pick for reasons Peek cannot see: another request
// taking the turn first is always possible; for least_latency the two
// random candidates come from the pool's random state, so the prediction
// holds only for the very next request. It does not allocate.
func Peek(sel Selector, ups []*Upstream, k Key) (up *Upstream, exact bool) {
	switch s := sel.(type) {
	case *RoundRobin:
		return s.peek(ups), true
	case *LeastConn:
		return s.peek(ups), true
	case *LeastLatency:
		return s.peek(ups), false
	case *Ring:
		return s.peek(ups, k), true
	case First:
		for _, u := range ups {
			if u.peekUsable(0, false) {
				return u, true
			}
		}
		return nil, true
	}
	return nil, false
}

// Usable reports whether u may get a new request now, without changing
// its state (see Peek).
func (u *Upstream) Usable() bool { return u.peekUsable(0, false) }

// peekUsable is usable without its side effects.
func (u *Upstream) peekUsable(tick uint64, ramp bool) bool {
	s := u.State
	if u.Drained || s.down.Load() {
		return false
	}
	from := s.rampFrom.Load()
	if to := s.ejectedTo.Load(); to != 0 {
		if s.clock().UnixNano() < to {
			return false
		}
		from = to // usable would end the ejection and start the ramp here
	}
	if from == 0 || !ramp {
		return true
	}
	slow := int64(u.conf().SlowStart)
	el := s.clock().UnixNano() - from
	if slow <= 0 || el >= slow {
		return true
	}
	share := max(uint64(el)*1024/uint64(slow), 16)
	return mix(tick)%1024 < share
}

func (rr *RoundRobin) peek(ups []*Upstream) *Upstream {
	n := uint64(len(rr.schedule))
	if n == 0 || len(ups) == 0 {
		return nil
	}
	start := rr.next.Load()
	var fallback *Upstream
	for i := uint64(0); i < n; i++ {
		idx := int(rr.schedule[(start+i)%n])
		if idx >= len(ups) {
			continue
		}
		u := ups[idx]
		if u.peekUsable(start+i, true) {
			return u
		}
		if fallback == nil && u.peekUsable(0, false) {
			fallback = u
		}
	}
	return fallback
}

func (lc *LeastConn) peek(ups []*Upstream) *Upstream {
	return leastConn(ups, lc.next.Load(), (*Upstream).peekUsable)
}

func (ll *LeastLatency) peek(ups []*Upstream) *Upstream {
	n := uint64(len(ups))
	switch n {
	case 0:
		return nil
	case 1:
		if ups[0].peekUsable(0, false) {
			return ups[0]
		}
		return nil
	}
	rnd := ll.rnd.Load()
	for try := 0; try < 3; try++ {
		rnd += 0x9e3779b97f4a7c15
		x := mix(rnd)
		i := (x & 0xffffffff) % n
		j := (x >> 32) % (n - 1)
		if j >= i {
			j++
		}
		a, b := ups[i], ups[j]
		okA, okB := a.peekUsable(x, true), b.peekUsable(x>>7, true)
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
	var best *Upstream
	for _, u := range ups {
		if u.peekUsable(0, false) && (best == nil || score(u) < score(best)) {
			best = u
		}
	}
	return best
}

func (r *Ring) peek(ups []*Upstream, k Key) *Upstream {
	n := len(r.points)
	if n == 0 || len(ups) == 0 {
		return nil
	}
	h := mix(k.Hash)
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r.points[m] < h {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for i := 0; i < n; i++ {
		o := int(r.owner[(lo+i)%n])
		if o < len(ups) && ups[o].peekUsable(0, false) {
			return ups[o]
		}
	}
	return nil
}

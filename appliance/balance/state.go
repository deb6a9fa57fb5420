package balance

import (
	"sync/atomic"
	"time"
)

// State is a backend's runtime state. All fields are atomics: they are
// read and written on the request path by every request to that backend.
type State struct {
	now       func() time.Time
	down      atomic.Bool  // the active checker's verdict; false = healthy
	ejectedTo atomic.Int64 // passive ejection holds until this (unix ns); 0 = not ejected
	rampFrom  atomic.Int64 // came back at (unix ns) and ramps up; 0 = full share
	inFlight  atomic.Int64 // requests being forwarded to it now
	ewma      atomic.Int64 // latency to the response header, ns; 0 = not measured
	fails     atomic.Int32 // consecutive passive failures
	ejections atomic.Int32 // ejections in a row; the cool-down doubles with each
	lastEnd   atomic.Int64 // when the last ejection ended (unix ns)
	checkOK   atomic.Int32 // consecutive passed active checks
	checkFail atomic.Int32 // consecutive failed active checks
	info      atomic.Pointer[info]
	id        uint64     // the backend's ID, for onChange
	onChange  HealthFunc // told of health transitions (Registry.OnHealthChange); nil: nobody
}

// HealthFunc is told of a backend's health transitions: from and to are
// Healthy, Unhealthy or Ejected, lastErr the last check or forwarding
// error ("" when to is Healthy). It is called on the goroutine that saw the change (a health
// check, or a request that ejected the backend or found its ejection
// over), only at a transition, so it must return at once: hand the
// change on, never block.
type HealthFunc func(backendID uint64, from, to, lastErr string)

// changed tells onChange, if any, of a transition.
func (s *State) changed(from, to string) {
	if s.onChange == nil {
		return
	}
	var lastErr string
	if in := s.info.Load(); in != nil && to != Healthy { // a recovery is not explained by the last failure
		lastErr = in.lastErr
	}
	s.onChange(s.id, from, to, lastErr)
}

// info is the part of Health that changes rarely; replaced, never modified.
type info struct {
	lastErr string
	changed time.Time
}

// Health is a backend's runtime health, for the API and CLI.
type Health struct {
	State     string    // healthy, unhealthy (active checks), ejected (passive)
	LastError string    // the last check or forwarding error; "" if none
	Changed   time.Time // when State last changed; zero if never
	InFlight  int64
	Latency   time.Duration // EWMA to the response header; 0 = not measured
}

// Health states.
const (
	Healthy   = "healthy"
	Unhealthy = "unhealthy"
	Ejected   = "ejected"
)

func (s *State) clock() time.Time {
	if s.now == nil {
		return time.Now()
	}
	return s.now()
}

// Health reports the backend's runtime health.
func (s *State) Health() Health {
	h := Health{State: Healthy, InFlight: s.inFlight.Load(), Latency: time.Duration(s.ewma.Load())}
	if in := s.info.Load(); in != nil {
		h.LastError, h.Changed = in.lastErr, in.changed
	}
	switch {
	case s.down.Load():
		h.State = Unhealthy
	case s.ejectedTo.Load() > s.clock().UnixNano():
		h.State = Ejected
	}
	return h
}

// Healthy reports whether the active checker lets it be picked.
func (s *State) Healthy() bool { return !s.down.Load() }

// SetHealthy records the health checker's verdict; a backend coming back
// starts its slow start.
func (s *State) SetHealthy(ok bool) { s.setDown(!ok, "") }

func (s *State) setDown(down bool, why string) {
	if s.down.Swap(down) == down {
		if why != "" {
			s.note(why, false)
		}
		return
	}
	now := s.clock()
	if !down {
		s.rampFrom.Store(now.UnixNano())
	}
	s.note(why, true)
	if down {
		s.changed(Healthy, Unhealthy)
	} else {
		s.changed(Unhealthy, Healthy)
	}
}

// note records the last error and, when changed, the time of the change.
func (s *State) note(lastErr string, changed bool) {
	old := s.info.Load()
	in := &info{lastErr: lastErr}
	if old != nil {
		in.changed = old.changed
		if lastErr == "" {
			in.lastErr = old.lastErr
		}
	}
	if changed {
		in.changed = s.clock()
	}
	s.info.Store(in)
}

// InFlight is the number of requests being forwarded to it now.
func (s *State) InFlight() int64 { return s.inFlight.Load() }

// Begin counts a request in; call End when it ends.
func (s *State) Begin() { s.inFlight.Add(1) }

// End counts a request out.
func (s *State) End() { s.inFlight.Add(-1) }

// Latency is the EWMA of its latency to the response header.
func (s *State) Latency() time.Duration { return time.Duration(s.ewma.Load()) }

// usable reports whether the backend may get a new request: not drained,
// not down, not ejected (an ejection that has run out ends here, and the
// backend starts its slow start). While it ramps up, ramp decides by the
// share it has reached, drawing on tick; ramp false ignores slow start.
func (u *Upstream) usable(tick uint64, ramp bool) bool {
	s := u.State
	if u.Drained || s.down.Load() {
		return false
	}
	if to := s.ejectedTo.Load(); to != 0 {
		now := s.clock().UnixNano()
		if now < to {
			return false
		}
		if s.ejectedTo.CompareAndSwap(to, 0) { // it came back at to, whoever notices
			s.lastEnd.Store(to)
			s.rampFrom.Store(to)
			s.note("", true)
			s.changed(Ejected, Healthy)
		}
	}
	from := s.rampFrom.Load()
	if from == 0 || !ramp {
		return true
	}
	slow := int64(u.conf().SlowStart)
	el := s.clock().UnixNano() - from
	if slow <= 0 || el >= slow {
		s.rampFrom.CompareAndSwap(from, 0)
		return true
	}
	// Share so far: el/slow, at least 1/64 so it gets some traffic to prove itself.
	share := max(uint64(el)*1024/uint64(slow), 16)
	return mix(tick)%1024 < share
}

// Report records the outcome of one forwarded request: ok is false for a
// connect error or a 5xx answer; latency is the time to the response
// header (0 when there was none); errText says what failed.
func (u *Upstream) Report(ok bool, latency time.Duration, errText string) {
	s := u.State
	if latency > 0 {
		s.observeLatency(latency)
	}
	if ok {
		if s.fails.Load() != 0 {
			s.fails.Store(0)
		}
		return
	}
	s.note(errText, false)
	c := u.conf()
	if c.MaxFails <= 0 {
		return
	}
	n := s.fails.Add(1)
	if n < int32(c.MaxFails) || !s.fails.CompareAndSwap(n, 0) {
		return
	}
	s.eject(c.Cooldown)
}

// eject takes the backend out for its cool-down: base, doubled for each
// ejection in a row, at most maxBackoff times base. A backend that stayed
// in at least as long as its last cool-down starts again from the base.
func (s *State) eject(base time.Duration) {
	if base <= 0 {
		base = 10 * time.Second
	}
	now := s.clock().UnixNano()
	k := s.ejections.Load()
	if end := s.lastEnd.Load(); end != 0 && k > 0 && now-end >= int64(base)<<(k-1) {
		k = 0
	}
	cool := min(base<<k, base*maxBackoff)
	s.ejections.Store(min(k+1, 6))
	was := s.ejectedTo.Swap(now + int64(cool))
	s.note("", true)
	if was <= now { // not already out: a transition
		s.changed(Healthy, Ejected)
	}
}

// Cooldown is how long the backend stays ejected from now; 0 if it is not.
func (s *State) Cooldown() time.Duration {
	to := s.ejectedTo.Load()
	if to == 0 {
		return 0
	}
	return max(time.Duration(to-s.clock().UnixNano()), 0)
}

// observeLatency folds d into the EWMA with weight 1/8.
func (s *State) observeLatency(d time.Duration) {
	for {
		old := s.ewma.Load()
		next := int64(d)
		if old != 0 {
			next = old + (int64(d)-old)/8
		}
		if s.ewma.CompareAndSwap(old, next) {
			return
		}
	}
}

// mix is splitmix64's finaliser: a well-spread hash of x.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

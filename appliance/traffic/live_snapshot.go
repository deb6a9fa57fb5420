package traffic

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/foyerhq/foyer/store"
)

// Snapshot is every active tenant's live numbers at one moment.
type Snapshot struct {
	Time time.Time `json:"time"`
	// Tenants are the tenants with a request in the last five minutes or
	// one in flight, by slug; "" is requests for no tenant.
	Tenants []TenantStats `json:"tenants"`
}

// TenantStats is one tenant's live numbers. Rates count the complete
// seconds before the snapshot; percentiles the last minute (whole
// ten-second slots, so 60 to 70 s).
type TenantStats struct {
	Tenant string `json:"tenant"`
	// Rate1, Rate10 and Rate60 are requests per second over the last 1,
	// 10 and 60 seconds.
	Rate1  float64 `json:"rate_1s"`
	Rate10 float64 `json:"rate_10s"`
	Rate60 float64 `json:"rate_60s"`
	// ErrorRatio is the share of the last minute's requests answered 5xx
	// or not answered by the upstream (0..1).
	ErrorRatio float64 `json:"error_ratio"`
	// P50, P90 and P99 are request durations over the last minute.
	P50 time.Duration `json:"p50_ns"`
	P90 time.Duration `json:"p90_ns"`
	P99 time.Duration `json:"p99_ns"`
	// BytesInRate and BytesOutRate are bytes per second over the last 10 s.
	BytesInRate  float64 `json:"bytes_in_rate"`
	BytesOutRate float64 `json:"bytes_out_rate"`
	InFlight     int64   `json:"in_flight"`
	// The rest count since the process started.
	Requests       uint64         `json:"requests"`
	Status         [6]uint64      `json:"status"` // by status/100: [1] is 1xx ... [5] 5xx; [0] no status
	BytesIn        uint64         `json:"bytes_in"`
	BytesOut       uint64         `json:"bytes_out"`
	RateLimited    uint64         `json:"rate_limited"`
	Rejected       uint64         `json:"rejected"`        // refused by foyer: IP rules, keys, limits, maintenance, breaker...
	UpstreamErrors uint64         `json:"upstream_errors"` // 502/504 from foyer: the upstream did not answer
	Backends       []BackendStats `json:"backends,omitempty"`
}

// BackendStats is one upstream's numbers for one tenant since the process
// started.
type BackendStats struct {
	URL      string `json:"url"`
	Requests uint64 `json:"requests"`
	Errors   uint64 `json:"errors"`
	// MeanLatency is the mean time to the response header.
	MeanLatency time.Duration `json:"mean_latency_ns"`
}

// Snapshot returns every active tenant's numbers now.
func (l *Live) Snapshot() *Snapshot {
	now := l.now()
	sec := now.Unix()
	snap := &Snapshot{Time: now}
	l.tenants.Range(func(_, v any) bool {
		t := v.(*tenant)
		r := t.ring.Load()
		if r == nil && t.inFlight.Load() <= 0 && !t.recent(sec) {
			return true
		}
		snap.Tenants = append(snap.Tenants, t.stats(r, sec))
		return true
	})
	slices.SortFunc(snap.Tenants, func(a, b TenantStats) int { return strings.Compare(a.Tenant, b.Tenant) })
	return snap
}

// recent reports whether t's last request ended in the activeSeconds
// before now.
func (t *tenant) recent(now int64) bool {
	last := t.lastSec.Load()
	return last != 0 && last >= now-activeSeconds
}

// stats reads t's numbers; r is its ring (nil when idle for ringKeep
// seconds: its rates and percentiles are 0).
func (t *tenant) stats(r *ring, now int64) TenantStats {
	s := TenantStats{Tenant: t.slug, InFlight: t.inFlight.Load(), BytesIn: t.bytesIn.Load(), BytesOut: t.bytesOut.Load()}
	for i := range t.classes {
		s.Status[i] = t.classes[i].Load()
		s.Requests += s.Status[i]
	}
	for i := range t.outcomes {
		n := t.outcomes[i].Load()
		switch {
		case outcomeNames[i] == store.OutcomeRateLimited:
			s.RateLimited = n
		case outcomeNames[i] == store.OutcomeUpstreamFail:
			s.UpstreamErrors = n
		case rejected(i):
			s.Rejected += n
		}
	}
	if p := t.backends.Load(); p != nil {
		for _, b := range *p {
			bs := BackendStats{URL: b.url, Requests: b.requests.Load(), Errors: b.errors.Load()}
			if bs.Requests > 0 {
				bs.MeanLatency = time.Duration(b.latSum.Load() / bs.Requests)
			}
			s.Backends = append(s.Backends, bs)
		}
	}
	if r == nil {
		return s
	}
	r1, _, _, _ := r.window(now, 1)
	r10, _, in10, out10 := r.window(now, 10)
	r60, e60, _, _ := r.window(now, 60)
	s.Rate1, s.Rate10, s.Rate60 = float64(r1), float64(r10)/10, float64(r60)/60
	s.BytesInRate, s.BytesOutRate = float64(in10)/10, float64(out10)/10
	if r60 > 0 {
		s.ErrorRatio = float64(e60) / float64(r60)
	}
	h := r.latency(now)
	s.P50, s.P90, s.P99 = h.Quantile(0.5), h.Quantile(0.9), h.Quantile(0.99)
	return s
}

// Frame is one published snapshot. Next is closed when a newer one is
// published, so any number of watchers wait on the same channel and the
// snapshot is computed once per interval whatever their number.
type Frame struct {
	// Snapshot is the numbers at the frame's time; never nil in a frame
	// Latest returns.
	Snapshot *Snapshot
	next     chan struct{}
}

// Next is closed when the frame after this one is published.
func (f *Frame) Next() <-chan struct{} { return f.next }

// Latest returns the latest published frame (Run publishes one per
// interval; before the first, an empty snapshot). Run computes a frame's
// snapshot only while someone asks for frames (a call in the last
// askedIntervals intervals); otherwise Latest computes it now, so the
// frame it returns always has one.
func (l *Live) Latest() *Frame {
	l.asked.Store(l.now().UnixNano())
	if f := l.frame.Load(); f.Snapshot != nil {
		return f
	}
	l.publishMu.Lock()
	defer l.publishMu.Unlock()
	if f := l.frame.Load(); f.Snapshot != nil {
		return f
	}
	f := &Frame{Snapshot: l.Snapshot(), next: make(chan struct{})}
	close(l.frame.Swap(f).next)
	return f
}

// askedIntervals is how many intervals after the last Latest Run keeps
// computing a snapshot each interval. A watcher asks once a frame, so it
// always finds one computed; with nobody watching, Run does not copy
// every active tenant's numbers each second (a third of foyer's CPU with
// 100,000 active tenants).
const askedIntervals = 3

// watched reports whether someone asked for a frame lately.
func (l *Live) watched(now time.Time) bool {
	return now.UnixNano()-l.asked.Load() <= int64(askedIntervals*l.interval)
}

// Run publishes a snapshot every interval and ages the buckets: it claims
// the coming seconds' buckets of active tenants and drops the buckets of
// tenants idle for more than the ring's minute (ringKeep). It returns when ctx ends.
func (l *Live) Run(ctx context.Context) {
	tk := time.NewTicker(l.interval)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			l.Tick()
		}
	}
}

// Tick does one interval's work of Run: age the buckets, then publish a
// frame to the watchers (with its snapshot while someone watches).
func (l *Live) Tick() {
	now := l.now().Unix()
	l.tenants.Range(func(_, v any) bool {
		t := v.(*tenant)
		r := t.ring.Load()
		if r == nil {
			return true
		}
		if t.lastSec.Load() < now-ringKeep && t.inFlight.Load() <= 0 {
			// An Observe that loaded r before the swap and stored its
			// lastSec before loading r is seen here: give r back.
			if t.ring.CompareAndSwap(r, nil) && t.lastSec.Load() >= now-ringKeep {
				t.ring.CompareAndSwap(nil, r)
			}
			return true
		}
		r.prepare(now)
		return true
	})
	f := &Frame{next: make(chan struct{})} // Latest computes the snapshot when asked
	if l.watched(l.now()) {
		f.Snapshot = l.Snapshot()
	}
	l.publishMu.Lock()
	defer l.publishMu.Unlock()
	close(l.frame.Swap(f).next)
}

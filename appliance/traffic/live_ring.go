package traffic

import (
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer/store"
)

// A ring keeps an active tenant's last minute: one bucket per second
// (requests, 5xx, bytes) for the 60 complete seconds the rates read, the
// current one and the two Run claims ahead, and one latency histogram per
// ten seconds (the percentiles of the last minute read the last six or
// seven), each allocated the first time its slot is used. About 2.1 KB
// plus 264 bytes per latency slot in use (a tenant with one request:
// 2.4 KB; with steady traffic: 3.9 KB). A tenant is active (listed in the
// snapshot) for activeSeconds after its last request, but Run drops its
// ring once the ring holds nothing the snapshot still reads (ringKeep
// seconds after the last request), so an idle tenant holds no ring.
const (
	ringSeconds   = 64  // a power of two >= 60 + 1 + 2
	latSpan       = 10  // seconds per latency slot
	latSlots      = 7   // 60 s of complete slots plus the current one
	ringKeep      = 72  // the oldest second the snapshot reads is now-70 (latency slots)
	activeSeconds = 300 // how long after its last request a tenant is listed
)

type ring struct {
	secs [ringSeconds]second
	lat  [latSlots]atomic.Pointer[latSlot] // nil until the slot is first used
}

// second is one second's counts. sec stamps which second they are: a
// bucket whose stamp is not the second asked for holds nothing of it.
type second struct {
	sec      atomic.Int64
	requests atomic.Uint32
	errors   atomic.Uint32 // 5xx and unreachable upstreams
	bytesIn  atomic.Uint64
	bytesOut atomic.Uint64
}

// latSlot is ten seconds' latency histogram, in store.Histogram's buckets.
type latSlot struct {
	start  atomic.Int64 // the slot's first unix second
	counts [store.HistogramBuckets]atomic.Uint32
}

// secondFor returns the bucket of unix second s, claiming (and zeroing) it
// when it still holds an older second; nil when s is too old for the ring.
// Run claims the next seconds ahead of the writers, so a writer claims
// only when Run is late; an increment that races with a claim in the
// claiming second may be lost, which live numbers can afford.
func (r *ring) secondFor(s int64) *second {
	b := &r.secs[s%ringSeconds]
	old := b.sec.Load()
	if old == s {
		return b
	}
	if old > s || !b.sec.CompareAndSwap(old, s) {
		if b.sec.Load() == s {
			return b
		}
		return nil
	}
	b.requests.Store(0)
	b.errors.Store(0)
	b.bytesIn.Store(0)
	b.bytesOut.Store(0)
	return b
}

// slotFor returns the latency slot of unix second s, allocating it the
// first time and claiming it like secondFor.
func (r *ring) slotFor(s int64) *latSlot {
	start := s - s%latSpan
	p := &r.lat[(start/latSpan)%latSlots]
	sl := p.Load()
	if sl == nil {
		nsl := new(latSlot)
		nsl.start.Store(start)
		if p.CompareAndSwap(nil, nsl) {
			return nsl
		}
		sl = p.Load()
	}
	old := sl.start.Load()
	if old == start {
		return sl
	}
	if old > start || !sl.start.CompareAndSwap(old, start) {
		if sl.start.Load() == start {
			return sl
		}
		return nil
	}
	for i := range sl.counts {
		sl.counts[i].Store(0)
	}
	return sl
}

// observe counts one request that ended in unix second s.
func (r *ring) observe(s int64, d time.Duration, failed bool, in, out uint64) {
	if b := r.secondFor(s); b != nil {
		b.requests.Add(1)
		if failed {
			b.errors.Add(1)
		}
		b.bytesIn.Add(in)
		b.bytesOut.Add(out)
	}
	if sl := r.slotFor(s); sl != nil {
		sl.counts[store.HistogramBucket(d)].Add(1)
	}
}

// prepare claims the buckets of the seconds after now, so that writers
// find them ready.
func (r *ring) prepare(now int64) {
	r.secondFor(now + 1)
	r.secondFor(now + 2)
}

// window sums the n complete seconds before now.
func (r *ring) window(now int64, n int) (requests, errors, in, out uint64) {
	for s := now - int64(n); s < now; s++ {
		b := &r.secs[((s%ringSeconds)+ringSeconds)%ringSeconds]
		if b.sec.Load() != s {
			continue
		}
		requests += uint64(b.requests.Load())
		errors += uint64(b.errors.Load())
		in += b.bytesIn.Load()
		out += b.bytesOut.Load()
	}
	return
}

// latency is the latency histogram of the last minute: the slots that
// started within the 60 s before now's slot, and now's.
func (r *ring) latency(now int64) store.Histogram {
	var h store.Histogram
	cur := now - now%latSpan
	for i := range r.lat {
		sl := r.lat[i].Load()
		if sl == nil {
			continue
		}
		st := sl.start.Load()
		if st > cur || st < cur-60 {
			continue
		}
		for j := range sl.counts {
			h.Counts[j] += uint64(sl.counts[j].Load())
		}
	}
	return h
}

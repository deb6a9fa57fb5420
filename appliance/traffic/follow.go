package traffic

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/foyerhq/foyer/store"
)

// DefaultFollowBuffer is a follower's channel capacity in records.
const DefaultFollowBuffer = 1024

// FollowFilter selects the records a follower receives. The zero value
// selects every record.
type FollowFilter struct {
	// Tenant is a slug; "" means every tenant.
	Tenant string
	// Status keeps only that exact status; 0 keeps all.
	Status int
	// StatusClass keeps only statuses in [StatusClass*100,
	// StatusClass*100+99]; 0 keeps all.
	StatusClass int
}

// Match reports whether f selects rec.
func (f FollowFilter) Match(rec *store.LogRecord) bool {
	switch {
	case f.Tenant != "" && rec.Tenant != f.Tenant:
		return false
	case f.Status != 0 && rec.Status != f.Status:
		return false
	case f.StatusClass != 0 && rec.Status/100 != f.StatusClass:
		return false
	}
	return true
}

// Follower is a live tap of the access log (`foyer logs --follow`). It
// receives records as the batch writer sees them, from memory, through a
// bounded channel: when it reads too slowly, records are dropped for it
// alone and counted, and nobody else waits.
type Follower struct {
	// C delivers the records. It is never closed: select on Done too.
	C <-chan store.LogRecord

	c       chan store.LogRecord
	filter  FollowFilter
	dropped atomic.Uint64
	owner   *followers
	done    <-chan struct{}
}

// Dropped is how many records this follower missed because C was full.
func (f *Follower) Dropped() uint64 { return f.dropped.Load() }

// Done is closed when the access log stops (no more records will come).
func (f *Follower) Done() <-chan struct{} { return f.done }

// Close stops delivery to f. It is safe to call more than once.
func (f *Follower) Close() { f.owner.remove(f) }

// followers is the set of live taps. The writer reads it without a lock
// through list; Follow and Close copy it under mu.
type followers struct {
	mu    sync.Mutex // serialises changes to list
	list  atomic.Pointer[[]*Follower]
	count atomic.Int32 // len(*list), read by Enqueue
}

// Follow returns a new follower with filter f and a channel of buf
// records (DefaultFollowBuffer when buf <= 0). Close it when done.
// Records reach followers even while the access log is off.
func (a *AccessLog) Follow(f FollowFilter, buf int) *Follower {
	if buf <= 0 {
		buf = DefaultFollowBuffer
	}
	c := make(chan store.LogRecord, buf)
	fl := &Follower{C: c, c: c, filter: f, owner: &a.followers, done: a.stopped}
	a.followers.add(fl)
	return fl
}

func (s *followers) add(f *Follower) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next []*Follower
	if l := s.list.Load(); l != nil {
		next = slices.Clone(*l)
	}
	next = append(next, f)
	s.list.Store(&next)
	s.count.Store(int32(len(next)))
}

func (s *followers) remove(f *Follower) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.list.Load()
	if l == nil || !slices.Contains(*l, f) {
		return
	}
	next := slices.DeleteFunc(slices.Clone(*l), func(x *Follower) bool { return x == f })
	s.list.Store(&next)
	s.count.Store(int32(len(next)))
}

// publish offers each record of batch to every follower whose filter
// selects it, without blocking. Only the writer goroutine calls it, so the
// request path pays nothing for followers.
func (s *followers) publish(batch []store.LogRecord) {
	l := s.list.Load()
	if l == nil || len(*l) == 0 {
		return
	}
	for _, f := range *l {
		for i := range batch {
			if !f.filter.Match(&batch[i]) {
				continue
			}
			select {
			case f.c <- batch[i]:
			default:
				f.dropped.Add(1)
			}
		}
	}
}

package policy

import (
	"context"
	"sync"
	"time"
)

// slots is a tenant's concurrency limit: up to max requests hold a slot,
// up to queue more wait for one in arrival order, the rest are refused.
type slots struct {
	mu      sync.Mutex // guards every field below
	n       int        // slots held
	max     int        // 0: no limit (nothing is counted)
	queue   int
	waiters []chan struct{} // FIFO; a closed channel hands its waiter a slot
}

// Slot is a held concurrency slot. Release it when the request ends; a nil
// *Slot (no limit) may be released too.
type Slot slots

// Release gives the slot back, to the first waiter if there is one.
func (s *Slot) Release() {
	if s == nil {
		return
	}
	(*slots)(s).release()
}

func (s *slots) setLimits(max, queue int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.max, s.queue = max, queue
	for len(s.waiters) > 0 && (max == 0 || s.n < max) {
		s.handOver()
	}
	for len(s.waiters) > queue { // the queue shrank: the newest wait no more
		last := len(s.waiters) - 1
		ch := s.waiters[last]
		s.waiters = s.waiters[:last]
		ch <- struct{}{} // buffered: tells the waiter "refused"
	}
}

// handOver gives a slot to the first waiter; s.mu is held.
func (s *slots) handOver() {
	ch := s.waiters[0]
	s.waiters = s.waiters[1:]
	s.n++
	close(ch)
}

func (s *slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n--
	if len(s.waiters) > 0 && (s.max == 0 || s.n < s.max) {
		s.handOver()
	}
}

func (s *slots) counts() (running, queued int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n, len(s.waiters)
}

// acquire takes a slot, waiting up to timeout in the queue when all are
// held. It returns nil, true when there is no limit.
func (s *slots) acquire(ctx context.Context, timeout time.Duration, after func(time.Duration) <-chan time.Time) (*Slot, bool) {
	s.mu.Lock()
	switch {
	case s.max == 0:
		s.mu.Unlock()
		return nil, true
	case s.n < s.max:
		s.n++
		s.mu.Unlock()
		return (*Slot)(s), true
	case len(s.waiters) >= s.queue || timeout <= 0:
		s.mu.Unlock()
		return nil, false
	}
	ch := make(chan struct{}, 1)
	s.waiters = append(s.waiters, ch)
	s.mu.Unlock()
	select {
	case _, open := <-ch:
		if open { // refused: the queue shrank
			return nil, false
		}
		return (*Slot)(s), true
	case <-ctx.Done():
	case <-after(timeout):
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, w := range s.waiters {
		if w == ch {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			return nil, false
		}
	}
	// Handed a slot (or refused) just as the wait ended.
	if _, open := <-ch; !open {
		return (*Slot)(s), true
	}
	return nil, false
}

package store

import (
	"context"
	"errors"
	"sync"
)

// ErrClosed is returned by Subscription.Next once the store is closed.
var ErrClosed = errors.New("store closed")

// Feed is the coalescing change feed: it tells subscribers "the latest
// revision is N". Publish never blocks; a slow subscriber sees only the
// newest revision, never a queue of old ones.
type Feed struct {
	mu     sync.Mutex // guards rev, subs and closed
	rev    uint64
	subs   map[*Subscription]struct{}
	closed bool
}

// Subscription receives revisions from a Feed.
type Subscription struct {
	feed *Feed
	wake chan struct{} // capacity 1: a pending wake-up, coalesced
	seen uint64        // the last revision returned by Next
}

// NewFeed returns a feed that starts at revision rev.
func NewFeed(rev uint64) *Feed {
	return &Feed{rev: rev, subs: map[*Subscription]struct{}{}}
}

// Publish records that revision rev is committed and wakes subscribers.
// A rev lower than one already published is ignored.
func (f *Feed) Publish(rev uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if rev <= f.rev {
		return
	}
	f.rev = rev
	for s := range f.subs {
		select {
		case s.wake <- struct{}{}:
		default: // already woken; it will read the newest rev
		}
	}
}

// Revision is the newest published revision.
func (f *Feed) Revision() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rev
}

// Subscribe returns a subscription whose first Next returns as soon as a
// revision newer than the current one is published.
func (f *Feed) Subscribe() *Subscription {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := &Subscription{feed: f, wake: make(chan struct{}, 1), seen: f.rev}
	if f.closed {
		close(s.wake)
		return s
	}
	f.subs[s] = struct{}{}
	return s
}

// Close ends every subscription.
func (f *Feed) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.closed = true
	for s := range f.subs {
		close(s.wake)
	}
	f.subs = nil
}

// Next blocks until a revision newer than the last one it returned is
// published, then returns the newest. It returns ctx's error when ctx ends
// and ErrClosed when the store closes.
func (s *Subscription) Next(ctx context.Context) (uint64, error) {
	for {
		s.feed.mu.Lock()
		rev := s.feed.rev
		_, live := s.feed.subs[s]
		s.feed.mu.Unlock()
		if rev > s.seen {
			s.seen = rev
			return rev, nil
		}
		if !live { // the feed or this subscription was closed
			return 0, ErrClosed
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	if _, ok := s.feed.subs[s]; ok {
		delete(s.feed.subs, s)
		close(s.wake)
	}
}

package logs

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Stream follows the access log (api.Client.FollowLogs) in its own
// goroutine and hands the records to a screen in batches: the screen's
// Update takes them (Take) when a Wake arrives, so no I/O happens in
// Update or View. It reconnects with backoff when the daemon restarts.
//
// A screen has no "closed" callback, so a stream stops itself when no one
// has taken its records for Idle (the screen was closed, or is covered by
// another): a screen restarts it (Stopped, then Start again) when it is on
// top and gets data again.
type Stream struct {
	cancel context.CancelFunc
	ready  chan struct{} // capacity 1: records or a state change are waiting

	lastTake atomic.Int64 // unix nanoseconds of the last Take
	stopped  atomic.Bool

	mu      sync.Mutex // guards the fields below
	pending []api.FollowRecord
	dropped uint64 // records missed: the daemon's count plus pending overflow
	err     error  // the last stream error; nil while it flows
}

// MaxPending is how many records a stream holds between two Takes; more
// are counted as dropped (the screen shows the count).
const MaxPending = 1000

// Idle is how long a stream runs with no Take before it stops itself.
var Idle = 5 * time.Second

// Wake tells a screen that its stream has records or news; Seq is the
// wait chain it belongs to (a screen re-arms only its current chain).
type Wake struct {
	Stream *Stream
	Seq    int
}

// StartStream follows q through c until Stop, or until no Take for Idle.
func StartStream(c *api.Client, q api.FollowQuery) *Stream {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Stream{cancel: cancel, ready: make(chan struct{}, 1)}
	s.lastTake.Store(time.Now().UnixNano())
	go s.run(ctx, c, q)
	go s.watchdog(ctx)
	return s
}

// Stop ends the stream; it is safe to call more than once.
func (s *Stream) Stop() {
	s.stopped.Store(true)
	s.cancel()
	s.poke()
}

// Stopped reports whether the stream has ended (Stop, or idle).
func (s *Stream) Stopped() bool { return s.stopped.Load() }

// Take returns the records received since the last Take (oldest first),
// how many were dropped meanwhile, and the stream's error ("" while it
// flows).
func (s *Stream) Take() (recs []api.FollowRecord, dropped uint64, errText string) {
	s.lastTake.Store(time.Now().UnixNano())
	s.mu.Lock()
	defer s.mu.Unlock()
	recs, dropped = s.pending, s.dropped
	s.pending, s.dropped = nil, 0
	if s.err != nil {
		errText = s.err.Error()
	}
	return recs, dropped, errText
}

// Wait returns a command that sends Wake{s, seq} when records are waiting,
// or after at most a second (so a screen's chain of waits never hangs).
func (s *Stream) Wait(seq int) tea.Cmd {
	return func() tea.Msg {
		t := time.NewTimer(time.Second)
		defer t.Stop()
		select {
		case <-s.ready:
		case <-t.C:
		}
		return Wake{Stream: s, Seq: seq}
	}
}

func (s *Stream) poke() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// watchdog stops the stream when no one took its records for Idle.
func (s *Stream) watchdog(ctx context.Context) {
	t := time.NewTicker(max(Idle/5, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if time.Since(time.Unix(0, s.lastTake.Load())) > Idle {
				s.Stop()
				return
			}
		}
	}
}

// run follows the log, reconnecting with backoff until ctx ends.
func (s *Stream) run(ctx context.Context, c *api.Client, q api.FollowQuery) {
	backoff := 250 * time.Millisecond
	for ctx.Err() == nil {
		f, err := c.FollowLogs(ctx, q)
		if err == nil {
			s.setErr(nil)
			backoff = 250 * time.Millisecond
			err = s.read(ctx, f)
		}
		if ctx.Err() != nil {
			return
		}
		s.setErr(err)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// read copies one follow stream's records into pending until it ends.
func (s *Stream) read(ctx context.Context, f *api.LogFollower) error {
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	defer f.Close()
	for {
		rec, err := f.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return errors.New("the daemon closed the log stream; reconnecting")
			}
			return err
		}
		s.mu.Lock()
		s.dropped += rec.Dropped
		if len(s.pending) < MaxPending {
			s.pending = append(s.pending, rec)
		} else {
			s.dropped++
		}
		s.mu.Unlock()
		s.poke()
	}
}

func (s *Stream) setErr(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
	s.poke()
}

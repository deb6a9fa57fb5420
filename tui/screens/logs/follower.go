package logs

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Follower is a screen's handle on a Stream: it starts the stream when the
// screen needs it (and again after it stopped itself), and keeps exactly
// one chain of Waits alive. Messages reach only the screen on top, so a
// Wake may be lost while the screen is covered; Ensure, called on every
// data.Updated, starts a new chain when the old one went quiet.
type Follower struct {
	Query api.FollowQuery

	stream   *Stream
	seq      int       // the current wait chain
	lastWake time.Time // when the current chain last woke (or began)
}

// chainLost is how long without a Wake means the chain was lost (a Wait
// returns within a second).
const chainLost = 3 * time.Second

// Ensure returns a command that keeps the stream flowing: it starts the
// stream if there is none or it stopped, and re-arms a lost wait chain.
// With a nil client (model tests) it does nothing.
func (f *Follower) Ensure(c *api.Client) tea.Cmd {
	if c == nil {
		return nil
	}
	now := time.Now()
	switch {
	case f.stream == nil || f.stream.Stopped():
		f.stream = StartStream(c, f.Query)
	case now.Sub(f.lastWake) <= chainLost:
		return nil
	}
	f.seq++
	f.lastWake = now
	return f.stream.Wait(f.seq)
}

// Handle takes the records a Wake announces. ok is false for a Wake of
// another stream (an old one); cmd re-arms the chain.
func (f *Follower) Handle(w Wake) (recs []api.FollowRecord, dropped uint64, errText string, cmd tea.Cmd, ok bool) {
	if f.stream == nil || w.Stream != f.stream {
		return nil, 0, "", nil, false
	}
	recs, dropped, errText = f.stream.Take()
	if w.Seq == f.seq && !f.stream.Stopped() {
		f.lastWake = time.Now()
		cmd = f.stream.Wait(f.seq)
	}
	return recs, dropped, errText, cmd, true
}

// Stop ends the stream, if any.
func (f *Follower) Stop() {
	if f.stream != nil {
		f.stream.Stop()
	}
}

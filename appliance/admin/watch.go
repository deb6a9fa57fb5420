package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// watchWriteTimeout bounds writing one event, so a client that stops
// reading does not hold a handler forever.
const watchWriteTimeout = 10 * time.Second

// watch is GET /v1/watch: NDJSON, first the current revision, then one
// config line per (coalesced) change, when the appliance keeps live
// numbers one stats line a second (watch_stats.go), and when it publishes
// events one event line for each (watch_events.go). It ends when the client goes, the store
// closes, or the server shuts down.
func (s *Server) watch(w http.ResponseWriter, r *http.Request) error {
	sub := s.store.Subscribe()
	defer sub.Close()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(s.stopCtx, cancel)()

	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	defer rc.SetWriteDeadline(time.Time{}) // the connection may serve another request
	ew := &eventWriter{rc: rc, w: w}

	frames := s.statsFrames()             // nil without live numbers: no stats lines; before the first line, so no frame is missed
	notices, unsubscribe := s.eventFeed() // nil without events: no event lines; before the first line too
	defer unsubscribe()
	last := s.store.Revision()
	if err := ew.send(api.Event{Type: api.EventConfig, Rev: last}); err != nil {
		return nil // the client is gone; nothing to answer
	}
	revs, errc := make(chan uint64), make(chan error, 1)
	go func() { // the change feed blocks; its revisions come to the loop below
		for {
			rev, err := sub.Next(ctx)
			if err != nil {
				errc <- err
				return
			}
			select {
			case revs <- rev:
			case <-ctx.Done():
				errc <- ctx.Err()
				return
			}
		}
	}()
	for {
		select {
		case err := <-errc:
			return s.watchEnded(r, err)
		case rev := <-revs:
			if rev <= last { // already sent as the first line
				continue
			}
			last = rev
			if err := ew.send(api.Event{Type: api.EventConfig, Rev: rev}); err != nil {
				return nil
			}
		case n := <-notices:
			if err := ew.send(api.Event{Type: api.EventNotice, Rev: last, Event: &n}); err != nil {
				return nil
			}
		case <-frames.next():
			line := frames.advance(last)
			if err := ew.sendLine(line); err != nil {
				return nil
			}
		}
	}
}

// watchEnded logs why a stream ended if that is unexpected; the status
// line is sent already, so there is no error to answer.
func (s *Server) watchEnded(r *http.Request, err error) error {
	if !errors.Is(err, context.Canceled) && !errors.Is(err, store.ErrClosed) {
		s.log.Warn("admin api watch ended", "path", r.URL.Path, "err", err)
	}
	return nil
}

// eventWriter writes NDJSON events, each flushed at once.
type eventWriter struct {
	rc *http.ResponseController
	w  io.Writer
}

func (e *eventWriter) send(ev api.Event) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding watch event: %w", err)
	}
	return e.sendLine(append(b, '\n'))
}

// sendLine writes one encoded line (with its newline) and flushes it.
func (e *eventWriter) sendLine(line []byte) error {
	if err := e.rc.SetWriteDeadline(time.Now().Add(watchWriteTimeout)); err != nil &&
		!errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("setting watch write deadline: %w", err)
	}
	if _, err := e.w.Write(line); err != nil {
		return fmt.Errorf("writing watch event: %w", err)
	}
	if err := e.rc.Flush(); err != nil {
		return fmt.Errorf("flushing watch event: %w", err)
	}
	return nil
}

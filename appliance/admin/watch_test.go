package admin

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// openWatch opens a watch bounded by a timeout, so a missing event fails
// the test instead of hanging it.
func openWatch(t *testing.T, h *harness) *api.Watcher {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	w, err := h.client.Watch(ctx)
	if err != nil {
		t.Fatalf("Watch: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func nextEvent(t *testing.T, w *api.Watcher) api.Event {
	t.Helper()
	ev, err := w.Next()
	if err != nil {
		t.Fatalf("watch Next: %v", err)
	}
	if ev.Type != api.EventConfig {
		t.Fatalf("event type %q, want %q", ev.Type, api.EventConfig)
	}
	return ev
}

func TestWatchStartsAtCurrentRevision(t *testing.T) {
	// Ensure that the first watch event carries the store's current revision.
	h := start(t)
	h.mustTenant("a")
	h.mustTenant("b")
	w := openWatch(t, h)
	if ev := nextEvent(t, w); ev.Rev != 2 {
		t.Errorf("first event rev %d, want 2", ev.Rev)
	}
}

func TestWatchReportsChanges(t *testing.T) {
	// Ensure that changes produce events up to the newest revision, in increasing order.
	h := start(t)
	w := openWatch(t, h)
	if ev := nextEvent(t, w); ev.Rev != 0 {
		t.Fatalf("first event rev %d, want 0", ev.Rev)
	}
	h.mustTenant("a")
	if ev := nextEvent(t, w); ev.Rev != 1 {
		t.Fatalf("event after one change: rev %d, want 1", ev.Rev)
	}
	for _, s := range []string{"b", "c", "d"} {
		h.mustTenant(s)
	}
	last := uint64(1)
	for last < 4 { // the store may coalesce; the newest must arrive
		ev := nextEvent(t, w)
		if ev.Rev <= last {
			t.Fatalf("rev %d after %d, want increasing", ev.Rev, last)
		}
		last = ev.Rev
	}
}

func TestWatchEndsOnShutdown(t *testing.T) {
	// Ensure that Shutdown ends an open watch stream promptly instead of waiting on it.
	h := start(t)
	w := openWatch(t, h)
	nextEvent(t, w)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := h.srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with an open watch: %v", err)
	}
	if _, err := w.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("Next after Shutdown: %v, want io.EOF", err)
	}
}

func TestWatchEndsWhenStoreCloses(t *testing.T) {
	// Ensure that closing the store ends watch streams.
	h := start(t)
	w := openWatch(t, h)
	nextEvent(t, w)
	h.store.Close()
	if _, err := w.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("Next after the store closed: %v, want io.EOF", err)
	}
}

func TestWatchEndsWhenClientGoes(t *testing.T) {
	// Ensure that a client closing its watch ends the handler by itself.
	h := start(t)
	w := openWatch(t, h)
	nextEvent(t, w)
	w.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	// The http.Server's own Shutdown waits for active handlers but, unlike
	// Server.Shutdown, does not end watch streams: it returns only if the
	// handler noticed the client leave.
	if err := h.srv.hs.Shutdown(ctx); err != nil {
		t.Fatalf("handler still active after the client left: %v", err)
	}
}

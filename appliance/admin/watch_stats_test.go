package admin

import (
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/traffic"
	"github.com/foyerhq/foyer/store"
)

// startStats serves an admin server over live numbers the test feeds.
func startStats(t *testing.T) (*harness, *traffic.Live) {
	live := traffic.NewLive(traffic.LiveOptions{})
	h := newHarness(t, func(o *Options) { o.Stats = live.Latest }).serve()
	return h, live
}

// Ensure that every watcher gets one stats line per published frame, with
// the frame's numbers, between the config lines.
func TestWatchStats(t *testing.T) {
	h, live := startStats(t)
	ws := []*api.Watcher{openWatch(t, h), openWatch(t, h)}
	for _, w := range ws {
		nextEvent(t, w) // the current revision
	}
	live.Observe(&store.LogRecord{Time: time.Now(), Tenant: "acme", Status: 200, Duration: time.Millisecond, Outcome: store.OutcomeAllowed})
	live.Tick()
	for i, w := range ws {
		ev, err := w.Next()
		if err != nil {
			t.Fatalf("watcher %d: %v", i, err)
		}
		if ev.Type != api.EventStats || ev.Stats == nil || len(ev.Stats.Tenants) != 1 ||
			ev.Stats.Tenants[0].Tenant != "acme" || ev.Stats.Tenants[0].Requests != 1 {
			t.Fatalf("watcher %d: event %+v, want a stats line with acme's one request", i, ev)
		}
	}
	h.mustTenant("a")
	if ev := nextEvent(t, ws[0]); ev.Rev != 1 {
		t.Errorf("config line after stats: rev %d, want 1", ev.Rev)
	}
}

// Ensure that GET /v1/stats answers the latest frame, for every tenant
// or one, and an error when the server has no live numbers.
func TestGetStats(t *testing.T) {
	h, live := startStats(t)
	for _, slug := range []string{"acme", "beta", "beta"} {
		live.Observe(&store.LogRecord{Time: time.Now(), Tenant: slug, Status: 200, Duration: time.Millisecond, Outcome: store.OutcomeAllowed})
	}
	live.Tick()
	all, err := h.client.Stats(t.Context(), "")
	if err != nil || len(all.Tenants) != 2 {
		t.Fatalf("Stats: %+v, %v; want 2 tenants", all, err)
	}
	one, err := h.client.Stats(t.Context(), "beta")
	if err != nil || len(one.Tenants) != 1 || one.Tenants[0].Requests != 2 {
		t.Fatalf("Stats(beta): %+v, %v; want beta's 2 requests", one, err)
	}
	if _, err := start(t).client.Stats(t.Context(), ""); err == nil {
		t.Error("Stats without live numbers: no error")
	}
}

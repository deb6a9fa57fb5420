package admin

import (
	"net/http"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/balance"
)

func TestAllBackends(t *testing.T) {
	// Ensure that GET /v1/backends lists every tenant's backends in one
	// call, ordered by tenant, each with its runtime health (a drained one
	// as draining), and an empty list (not null) with none.
	changed := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var downID uint64
	h := newHarness(t, func(o *Options) {
		o.Health = func(id uint64) (balance.Health, bool) {
			if id == downID {
				return balance.Health{State: balance.Unhealthy, LastError: "connection refused", Changed: changed}, true
			}
			return balance.Health{State: balance.Healthy}, true
		}
	}).serve()
	ctx := t.Context()
	if bs := must(h.client.AllBackends(ctx)); bs == nil || len(bs) != 0 {
		t.Fatalf("AllBackends with none = %#v, want []", bs)
	}
	h.mustTenant("beta")
	h.mustTenant("acme")
	for _, c := range []struct{ slug, url string }{
		{"beta", "http://127.0.0.1:8003"}, {"acme", "http://127.0.0.1:8001"}, {"acme", "http://127.0.0.1:8002"},
	} {
		b := must(h.client.AddBackend(ctx, c.slug, "", api.AddBackendRequest{URL: c.url}))
		if c.url == "http://127.0.0.1:8002" {
			downID = b.ID
		}
	}
	if _, err := h.client.DrainBackend(ctx, "beta", "default", "http://127.0.0.1:8003", true); err != nil {
		t.Fatal(err)
	}
	bs := must(h.client.AllBackends(ctx))
	type got struct{ tenant, url, health, lastErr string }
	want := []got{
		{"acme", "http://127.0.0.1:8001", "healthy", ""},
		{"acme", "http://127.0.0.1:8002", "unhealthy", "connection refused"},
		{"beta", "http://127.0.0.1:8003", "draining", ""},
	}
	if len(bs) != len(want) {
		t.Fatalf("AllBackends = %+v, want %d backends", bs, len(want))
	}
	for i, b := range bs {
		if g := (got{b.Tenant, b.URL, b.Health, b.LastError}); g != want[i] {
			t.Errorf("backend %d = %+v, want %+v", i, g, want[i])
		}
	}
	if bs[1].Changed == nil || !bs[1].Changed.Equal(changed) {
		t.Errorf("unhealthy backend's Changed = %v, want %v", bs[1].Changed, changed)
	}
}

func TestAllBackendsRefusedToTenantToken(t *testing.T) {
	// Ensure that GET /v1/backends, which spans every tenant, is refused
	// to a tenant-scoped token and answered to an admin token.
	_, a, tok, admin := scopeFixture(t)
	if code, _, body := a.call(tok, "GET", "/v1/backends", ""); code != http.StatusForbidden {
		t.Errorf("tenant token: %d %s, want 403", code, body)
	}
	if code, _, body := a.call(admin, "GET", "/v1/backends", ""); code != http.StatusOK {
		t.Errorf("admin token: %d %s, want 200", code, body)
	}
}

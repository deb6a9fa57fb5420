package tui

import (
	"context"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that Fetch reads every tenant's backends (in one call to GET
// /v1/backends) grouped by tenant, with an empty entry for a tenant that
// has none.
func TestFetchGroupsBackends(t *testing.T) {
	c, _ := startDaemon(t, t.TempDir())
	ctx := context.Background()
	for _, slug := range []string{"acme", "beta"} {
		if _, err := c.CreateTenant(ctx, api.CreateTenantRequest{Slug: slug}); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []string{"http://127.0.0.1:9001", "http://127.0.0.1:9002"} {
		if _, err := c.AddBackend(ctx, "acme", "", api.AddBackendRequest{URL: u}); err != nil {
			t.Fatal(err)
		}
	}
	l := NewFeed(c).Fetch(ctx)
	if l.Err != nil {
		t.Fatal(l.Err)
	}
	if bs := l.Backends["acme"]; len(bs) != 2 || bs[0].Tenant != "acme" || bs[1].URL != "http://127.0.0.1:9002" {
		t.Errorf("acme's backends = %+v, want its two", bs)
	}
	if bs, ok := l.Backends["beta"]; !ok || len(bs) != 0 {
		t.Errorf("beta's backends = %+v (present %v), want an empty entry", bs, ok)
	}
	if len(l.Backends) != 2 {
		t.Errorf("Backends has %d tenants, want 2", len(l.Backends))
	}
}

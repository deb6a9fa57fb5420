package route

import (
	"strings"
	"testing"

	"github.com/foyerhq/foyer/store"
)

// Ensure that Build resolves each tenant's policy from its plan and
// overrides, hands it its API keys, and refuses a tenant on a missing plan.
func TestBuildPolicies(t *testing.T) {
	s := &store.Snapshot{
		Settings: store.DefaultSettings(),
		Tenants: []store.Tenant{
			{ID: 1, Slug: "acme", State: store.TenantActive, Plan: "pro", Policy: store.Policy{"burst": "9"}},
			{ID: 2, Slug: "beta", State: store.TenantActive},
		},
		Plans:   []store.Plan{{Name: "pro", Policy: store.Policy{"rate": "5", "burst": "6", "api-keys": "required"}}},
		APIKeys: []store.APIKey{{ID: "abcdefgh", Tenant: "acme", Name: "ci"}},
	}
	tbl, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	a, b := tbl.Tenant("acme"), tbl.Tenant("beta")
	if a.Effective.Rate != 5 || a.Effective.Burst != 9 || a.Effective.APIKeys != store.APIKeysRequired || len(a.APIKeys) != 1 {
		t.Fatalf("acme: %+v keys %v", a.Effective, a.APIKeys)
	}
	if b.Effective.Rate != 0 || !b.Effective.HSTS || b.Effective.APIKeys != store.APIKeysOff || len(b.APIKeys) != 0 {
		t.Fatalf("beta: %+v", b.Effective)
	}
	s.Plans = nil
	if _, err := Build(s); err == nil || !strings.Contains(err.Error(), `unknown plan "pro"`) {
		t.Fatalf("missing plan: %v", err)
	}
}

package route

import (
	"fmt"

	"github.com/foyerhq/foyer/store"
)

// addPolicies resolves every tenant's effective policy (defaults <- its
// plan <- its overrides) and gives it its API keys. A tenant on a plan
// that does not exist, a policy that does not resolve, or a key of an
// unknown tenant fails the build.
//
// Most tenants override nothing: their effective policy is their plan's
// (or the defaults), resolved once per plan and shared, because resolving
// is most of Build's time at 10,000 tenants. The shared value's slices are
// read-only like the rest of the table.
func (t *Table) addPolicies(s *store.Snapshot) error {
	plans := make(map[string]store.Policy, len(s.Plans))
	for _, p := range s.Plans {
		plans[p.Name] = p.Policy
	}
	byPlan := make(map[string]*store.EffectivePolicy, len(s.Plans)+1) // tenants without overrides
	for _, tn := range t.tenants {
		var pp store.Policy
		if tn.Plan != "" {
			var ok bool
			if pp, ok = plans[tn.Plan]; !ok {
				return fmt.Errorf("tenant %s: unknown plan %q", tn.Slug, tn.Plan)
			}
		}
		own := len(tn.Tenant.Policy) > 0
		if eff, ok := byPlan[tn.Plan]; ok && !own {
			tn.Effective = eff
			continue
		}
		eff, err := store.ResolvePolicy(pp, tn.Tenant.Policy)
		if err != nil {
			return fmt.Errorf("tenant %s: %w", tn.Slug, err)
		}
		tn.Effective = &eff
		if !own {
			byPlan[tn.Plan] = &eff
		}
	}
	for _, k := range s.APIKeys {
		tn := t.slugs[k.Tenant]
		if tn == nil {
			return fmt.Errorf("api key %s: unknown tenant %q", k.ID, k.Tenant)
		}
		tn.APIKeys = append(tn.APIKeys, k)
	}
	return nil
}

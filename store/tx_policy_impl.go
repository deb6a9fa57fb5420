package store

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Plans

func (t *tx) Plan(name string) (Plan, error) {
	var p Plan
	ok, err := getJSON(t.kv, BucketPlans, name, &p)
	if err == nil && !ok {
		err = notFound("plan", name, "list plans with `foyer plan list`")
	}
	return p, err
}

func (t *tx) Plans() ([]Plan, error) { return list[Plan](t.kv, BucketPlans, "") }

func (t *tx) PutPlan(p *Plan) error {
	if !ValidSlug(p.Name, 32) {
		return invalid("plan.name", "use 1 to 32 lower-case letters, digits and inner hyphens", "%q is not a valid plan name", truncate(p.Name))
	}
	if p.Policy == nil {
		p.Policy = Policy{}
	}
	if err := p.Policy.Validate(); err != nil {
		return err
	}
	var cur Plan
	ok, err := getJSON(t.kv, BucketPlans, p.Name, &cur)
	if err != nil {
		return err
	}
	verb := "plan.create"
	p.Created, p.Updated = t.now, t.now
	if ok {
		if cur.Policy.String() == p.Policy.String() {
			*p = cur
			return nil
		}
		verb, p.Created = "plan.set", cur.Created
	}
	if err := t.checkIDPaths(nil, p); err != nil {
		return err
	}
	if err := t.change("%s %s %s", verb, p.Name, p.Policy); err != nil {
		return err
	}
	return putJSON(t.kv, BucketPlans, p.Name, p)
}

func (t *tx) RemovePlan(name string) error {
	if _, err := t.Plan(name); err != nil {
		return err
	}
	users, err := t.planUsers(name)
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return Errf(ErrConflict, "plan.name", "move them first: foyer policy set SLUG --plan OTHER (or --plan \"\")",
			"plan %s is used by %d tenant(s): %s", name, len(users), strings.Join(users, ", "))
	}
	if err := t.change("plan.remove %s", name); err != nil {
		return err
	}
	return t.kv.Delete(BucketPlans, name)
}

// planUsers lists the slugs of the tenants on a plan.
func (t *tx) planUsers(name string) ([]string, error) {
	ts, err := t.Tenants()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, tn := range ts {
		if tn.Plan == name {
			out = append(out, tn.Slug)
		}
	}
	return out, nil
}

// Tenants' policies

func (t *tx) SetTenantPolicy(slug string, set Policy) error {
	tn, err := t.Tenant(slug)
	if err != nil {
		return err
	}
	next := Policy{}
	for k, v := range tn.Policy {
		next[k] = v
	}
	changed := Policy{}
	for k, v := range set {
		if _, err := LookupPolicyKey(k); err != nil {
			return err
		}
		if old, ok := next[k]; v == "" && ok || v != "" && old != v {
			changed[k] = v
		}
		if v == "" {
			delete(next, k)
		} else {
			next[k] = v
		}
	}
	if err := next.Validate(); err != nil {
		return err
	}
	if len(changed) == 0 {
		return nil
	}
	if err := t.checkResolves(tn.Plan, next); err != nil {
		return err
	}
	if err := t.checkIDPaths(&Tenant{Slug: tn.Slug, Plan: tn.Plan, Policy: next}, nil); err != nil {
		return err
	}
	tn.Policy, tn.Updated = next, t.now
	if len(next) == 0 {
		tn.Policy = nil
	}
	if err := t.change("policy.set %s %s", slug, changed); err != nil {
		return err
	}
	return putJSON(t.kv, BucketTenants, slug, tn)
}

// checkResolves makes sure plan plus overrides resolve to a policy.
func (t *tx) checkResolves(plan string, overrides Policy) error {
	var pp Policy
	if plan != "" {
		p, err := t.Plan(plan)
		if err != nil {
			return err
		}
		pp = p.Policy
	}
	_, err := ResolvePolicy(pp, overrides)
	return err
}

// checkTenantPolicy validates a new tenant's plan and overrides.
func (t *tx) checkTenantPolicy(v *Tenant) error {
	if err := v.Policy.Validate(); err != nil {
		return err
	}
	if v.Plan != "" {
		if _, err := t.Plan(v.Plan); err != nil {
			return Errf(ErrInvalid, "tenant.plan", "list plans with `foyer plan list`", "plan %q not found", truncate(v.Plan))
		}
	}
	if err := t.checkResolves(v.Plan, v.Policy); err != nil {
		return err
	}
	return t.checkIDPaths(v, nil)
}

func (t *tx) SetTenantPlan(slug, plan string) error {
	tn, err := t.Tenant(slug)
	if err != nil {
		return err
	}
	if plan != "" {
		if _, err := t.Plan(plan); err != nil {
			return Errf(ErrInvalid, "tenant.plan", "list plans with `foyer plan list`", "plan %q not found", truncate(plan))
		}
	}
	if tn.Plan == plan {
		return nil
	}
	if err := t.checkResolves(plan, tn.Policy); err != nil {
		return err
	}
	if err := t.checkIDPaths(&Tenant{Slug: tn.Slug, Plan: plan, Policy: tn.Policy}, nil); err != nil {
		return err
	}
	tn.Plan, tn.Updated = plan, t.now
	if err := t.change("policy.plan %s %q", slug, plan); err != nil {
		return err
	}
	return putJSON(t.kv, BucketTenants, slug, tn)
}

// API keys

func (t *tx) APIKeys(tenant string) ([]APIKey, error) {
	return list[APIKey](t.kv, BucketAPIKeys, tenantPrefix(tenant))
}

func (t *tx) CreateAPIKey(k *APIKey) error {
	if _, err := t.Tenant(k.Tenant); err != nil {
		return err
	}
	if !ValidSlug(k.Name, 63) {
		return invalid("apikey.name", "use 1 to 63 lower-case letters, digits and inner hyphens", "%q is not a valid key name", truncate(k.Name))
	}
	if !validKeyID(k.ID) || !validHash(k.Hash) {
		return invalid("apikey", "generate keys with store.NewAPIKeyToken", "malformed key ID or hash")
	}
	if !k.Expires.IsZero() && !k.Expires.After(t.now) {
		return invalid("apikey.expires", "", "the expiry %s is not in the future", k.Expires.Format(time.RFC3339))
	}
	keys, err := t.APIKeys(k.Tenant)
	if err != nil {
		return err
	}
	for _, e := range keys {
		if e.Name == k.Name {
			return Errf(ErrExists, "apikey.name", "revoke it first, or pick another name", "tenant %s already has a key named %s", k.Tenant, k.Name)
		}
		if e.ID == k.ID {
			return Errf(ErrExists, "apikey.id", "try again", "key ID %s is taken", k.ID)
		}
	}
	k.Created, k.LastUsed = t.now, time.Time{}
	if err := t.change("apikey.create %s %s (id %s)", k.Tenant, k.Name, k.ID); err != nil {
		return err
	}
	return putJSON(t.kv, BucketAPIKeys, k.Tenant+"/"+k.ID, k)
}

func (t *tx) RevokeAPIKey(tenant, name string) error {
	if _, err := t.Tenant(tenant); err != nil {
		return err
	}
	keys, err := t.APIKeys(tenant)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.Name == name {
			if err := t.change("apikey.revoke %s %s (id %s)", tenant, name, k.ID); err != nil {
				return err
			}
			return t.kv.Delete(BucketAPIKeys, tenant+"/"+k.ID)
		}
	}
	return notFound("api key", name, fmt.Sprintf("list them with `foyer apikey list %s`", tenant))
}

// TouchAPIKeys writes last-used times without t.change: Update then
// commits the records with neither an audit entry nor a new revision.
func (t *tx) TouchAPIKeys(used map[string]time.Time) error {
	if !t.write {
		return errReadOnly
	}
	keys := make([]string, 0, len(used))
	for k := range used {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		var k APIKey
		ok, err := getJSON(t.kv, BucketAPIKeys, key, &k)
		if err != nil {
			return err
		}
		at := used[key].UTC()
		if !ok || !at.After(k.LastUsed) {
			continue
		}
		k.LastUsed = at
		if err := putJSON(t.kv, BucketAPIKeys, key, k); err != nil {
			return err
		}
	}
	return nil
}

// deleteTenantKeys removes a tenant's API keys (DeleteTenant calls it).
func (t *tx) deleteTenantKeys(slug string) error {
	keys, err := t.APIKeys(slug)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := t.kv.Delete(BucketAPIKeys, slug+"/"+k.ID); err != nil {
			return err
		}
	}
	return nil
}

package admin

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// applyTenant creates or changes one tenant and everything in its entry;
// path is its place in the document ("tenants[2]").
func (a *applier) applyTenant(path string, ct api.ConfigTenant) error {
	name, state := ct.Name, store.TenantState(ct.State)
	if name == "" {
		name = ct.Slug
	}
	if state == "" {
		state = store.TenantActive
	}
	cur, err := a.tx.Tenant(ct.Slug)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.note(api.ChangeCreate, "tenant", ct.Slug, "")
		t := store.Tenant{Slug: ct.Slug, Name: name, State: state, Plan: ct.Plan, Policy: store.Policy(ct.Policy)}
		if err := a.tx.CreateTenant(&t); err != nil {
			return at(path, err)
		}
	case err != nil:
		return err
	default:
		if err := a.updateTenant(path, cur, ct, name, state); err != nil {
			return err
		}
	}
	steps := []func(string, api.ConfigTenant) error{a.applyAliases, a.applyPools, a.applyDomains, a.applyJWTKey, a.applyAPIKeys}
	for _, step := range steps {
		if err := step(path, ct); err != nil {
			return err
		}
	}
	return nil
}

// updateTenant brings an existing tenant's name, state, policy and plan
// to the entry's.
func (a *applier) updateTenant(path string, cur store.Tenant, ct api.ConfigTenant, name string, state store.TenantState) error {
	if cur.Name != name || cur.State != state {
		a.note(api.ChangeUpdate, "tenant", ct.Slug, fieldDiff(
			map[string]string{"name": cur.Name, "state": string(cur.State)},
			map[string]string{"name": name, "state": string(state)}))
		t := store.Tenant{Slug: ct.Slug, Name: name, State: state}
		if err := a.tx.UpdateTenant(&t); err != nil {
			return at(path, err)
		}
	}
	set := store.Policy{}
	for k, v := range ct.Policy {
		if cur.Policy[k] != v {
			set[k] = v
		}
	}
	if d := policyDiff(cur.Policy, ct.Policy, false); d != "" {
		a.note(api.ChangeUpdate, "policy", ct.Slug, d)
	}
	for _, k := range sortedKeys(cur.Policy) {
		if _, ok := ct.Policy[k]; ok {
			continue
		}
		if err := a.extra("policy", ct.Slug+" "+k, func() error { set[k] = ""; return nil }); err != nil {
			return err
		}
	}
	if len(set) > 0 {
		if err := a.tx.SetTenantPolicy(ct.Slug, set); err != nil {
			return at(path, err)
		}
	}
	if cur.Plan != ct.Plan {
		a.note(api.ChangeUpdate, "tenant", ct.Slug, fmt.Sprintf("plan: %q -> %q", cur.Plan, ct.Plan))
		if err := a.tx.SetTenantPlan(ct.Slug, ct.Plan); err != nil {
			return at(path, err)
		}
	}
	return nil
}

// applyAliases adds the entry's aliases (taking one from another tenant
// when the document moves it) and prunes or keeps the others.
func (a *applier) applyAliases(path string, ct api.ConfigTenant) error {
	cur, err := a.tx.Tenant(ct.Slug)
	if err != nil {
		return err
	}
	all, err := a.tx.Tenants()
	if err != nil {
		return err
	}
	for i, alias := range ct.Aliases {
		if slices.Contains(cur.Aliases, alias) {
			continue
		}
		detail := ""
		for _, o := range all {
			if o.Slug != ct.Slug && slices.Contains(o.Aliases, alias) {
				detail = "moves from tenant " + o.Slug
				if err := a.tx.RemoveTenantAlias(o.Slug, alias); err != nil {
					return err
				}
			}
		}
		a.note(api.ChangeCreate, "alias", ct.Slug+" "+alias, detail)
		if err := a.tx.AddTenantAlias(ct.Slug, alias); err != nil {
			return at(fmt.Sprintf("%s.aliases[%d]", path, i), err)
		}
	}
	for _, alias := range cur.Aliases {
		if slices.Contains(ct.Aliases, alias) {
			continue
		}
		if err := a.extra("alias", ct.Slug+" "+alias, func() error { return a.tx.RemoveTenantAlias(ct.Slug, alias) }); err != nil {
			return err
		}
	}
	return nil
}

// storePool is an entry's pool as the store holds it, defaults filled in.
func storePool(slug string, cp api.ConfigPool, path string) (store.Pool, error) {
	p := store.Pool{Tenant: slug, Name: cp.Name, Algorithm: store.Algorithm(cp.Algorithm), HashKey: cp.HashKey,
		Sticky: cp.Sticky, HealthPath: cp.HealthPath, HealthStatus: cp.HealthStatus, HealthyThreshold: cp.HealthyThreshold,
		UnhealthyThreshold: cp.UnhealthyThreshold, MaxFails: cp.MaxFails}
	for _, d := range []struct {
		field string
		dst   *store.Duration
		v     string
	}{
		{"health_interval", &p.HealthInterval, cp.HealthInterval},
		{"health_timeout", &p.HealthTimeout, cp.HealthTimeout},
		{"cooldown", &p.Cooldown, cp.Cooldown},
		{"slow_start", &p.SlowStart, cp.SlowStart},
	} {
		if d.v == "" {
			continue
		}
		v, err := time.ParseDuration(d.v)
		if err != nil {
			return p, errorf(store.ErrInvalid, path+"."+d.field, "write a duration such as 10s or 1m30s",
				"%s.%s: %q is not a duration", path, d.field, d.v)
		}
		*d.dst = store.Duration(v)
	}
	return p.WithDefaults(), nil
}

// applyPools sets each pool of the entry and its backends; pools the
// entry lacks lose their backends with prune (the store keeps a pool
// record until its tenant is deleted).
func (a *applier) applyPools(path string, ct api.ConfigTenant) error {
	for i, cp := range ct.Pools {
		pp := fmt.Sprintf("%s.pools[%d]", path, i)
		want, err := storePool(ct.Slug, cp, pp)
		if err != nil {
			return err
		}
		cur, err := a.tx.Pool(ct.Slug, cp.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			a.note(api.ChangeCreate, "pool", ct.Slug+"/"+cp.Name, "")
		case err != nil:
			return err
		default:
			cur = cur.WithDefaults()
			cur.ID = 0
			if d := fieldDiff(configPool(cur), configPool(want)); d != "" {
				a.note(api.ChangeUpdate, "pool", ct.Slug+"/"+cp.Name, d)
			} else {
				want.Name = "" // unchanged: no write
			}
		}
		if want.Name != "" {
			if err := a.tx.SetPool(&want); err != nil {
				return at(pp, err)
			}
		}
		if err := a.applyBackends(pp, ct.Slug, cp); err != nil {
			return err
		}
	}
	pools, err := a.tx.Pools(ct.Slug)
	if err != nil {
		return err
	}
	for _, p := range pools {
		if slices.ContainsFunc(ct.Pools, func(cp api.ConfigPool) bool { return cp.Name == p.Name }) {
			continue
		}
		a.note(api.ChangeKeep, "pool", ct.Slug+"/"+p.Name, "not in the file; the store removes a pool only with its tenant")
		if err := a.applyBackends("", ct.Slug, api.ConfigPool{Name: p.Name}); err != nil {
			return err
		}
	}
	return nil
}

// applyBackends adds, changes and prunes (or keeps) one pool's backends.
// The store has no weight change: a new weight re-adds the backend.
func (a *applier) applyBackends(pp, slug string, cp api.ConfigPool) error {
	all, err := a.tx.Backends(slug)
	if err != nil {
		return err
	}
	cur := map[string]store.Backend{}
	for _, b := range all {
		if b.Pool == cp.Name {
			cur[b.URL] = b
		}
	}
	seen := map[string]bool{}
	for i, cb := range cp.Backends {
		bp := fmt.Sprintf("%s.backends[%d]", pp, i)
		u, err := store.ValidateBackendURL(cb.URL)
		if err != nil {
			return at(bp, err)
		}
		seen[u] = true
		name := slug + "/" + cp.Name + " " + u
		weight := max(cb.Weight, 0)
		if weight == 0 {
			weight = 1
		}
		old, ok := cur[u]
		switch {
		case !ok:
			a.note(api.ChangeCreate, "backend", name, drainedNote(cb.Drained))
		case old.Weight != weight:
			a.note(api.ChangeUpdate, "backend", name, fmt.Sprintf("weight: %d -> %d (re-added: its health starts over)", old.Weight, weight))
			if err := a.tx.RemoveBackend(slug, cp.Name, u); err != nil {
				return err
			}
		case old.Drained != cb.Drained:
			a.note(api.ChangeUpdate, "backend", name, fmt.Sprintf("drained: %t -> %t", old.Drained, cb.Drained))
		}
		if !ok || old.Weight != weight {
			b := store.Backend{Tenant: slug, Pool: cp.Name, URL: u, Weight: cb.Weight}
			if err := a.tx.AddBackend(&b); err != nil {
				return at(bp, err)
			}
		}
		if err := a.tx.SetBackendDrained(slug, cp.Name, u, cb.Drained); err != nil {
			return at(bp, err)
		}
	}
	for _, b := range all {
		if b.Pool != cp.Name || seen[b.URL] {
			continue
		}
		name := slug + "/" + cp.Name + " " + b.URL
		if err := a.extra("backend", name, func() error { return a.tx.RemoveBackend(slug, cp.Name, b.URL) }); err != nil {
			return err
		}
	}
	return nil
}

func drainedNote(d bool) string {
	if d {
		return "drained"
	}
	return ""
}

// applyDomains adds the entry's domains (moving one from another tenant
// when the document says so) and prunes or keeps the others. A new
// domain starts in pending_dns; the verifier takes it from there.
func (a *applier) applyDomains(path string, ct api.ConfigTenant) error {
	seen := map[string]bool{}
	for i, cd := range ct.Domains {
		dp := fmt.Sprintf("%s.domains[%d]", path, i)
		name, err := store.ValidateDomainName("domain.name", cd.Name)
		if err != nil {
			return at(dp, err)
		}
		seen[name] = true
		cur, err := a.tx.Domain(name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			a.note(api.ChangeCreate, "domain", ct.Slug+" "+name, "")
		case err != nil:
			return err
		case cur.Tenant == ct.Slug:
			continue
		default:
			a.note(api.ChangeUpdate, "domain", ct.Slug+" "+name, "moves from tenant "+cur.Tenant+" (verified again)")
			if err := a.tx.RemoveDomain(name); err != nil {
				return err
			}
		}
		if err := a.tx.AddDomain(&store.Domain{Name: name, Tenant: ct.Slug}); err != nil {
			return at(dp, err)
		}
	}
	cur, err := a.tx.Domains(ct.Slug)
	if err != nil {
		return err
	}
	for _, d := range cur {
		if seen[d.Name] {
			continue
		}
		if err := a.extra("domain", ct.Slug+" "+d.Name, func() error { return a.tx.RemoveDomain(d.Name) }); err != nil {
			return err
		}
	}
	return nil
}

// applyJWTKey sets the entry's public JWT key. An HS256 secret is never
// in the file: kind hs256-secret keeps the stored secret, and is refused
// when there is none to keep.
func (a *applier) applyJWTKey(path string, ct api.ConfigTenant) error {
	kp := path + ".jwt_key"
	cur, err := a.tx.JWTKey(ct.Slug)
	has := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if ct.JWTKey == nil {
		if has {
			return a.extra("jwt-key", ct.Slug, func() error { return a.tx.RemoveJWTKey(ct.Slug) })
		}
		return nil
	}
	kind := store.JWTKeyKind(ct.JWTKey.Kind)
	if kind == store.JWTKeySecret {
		if ct.JWTKey.Data != "" {
			return errorf(store.ErrInvalid, kp+".data", "remove data, and set the secret with `foyer tenant jwt-key "+ct.Slug+" --hs256-secret-file FILE`",
				"%s.data: an HS256 secret does not belong in the file", kp)
		}
		if !has || cur.Kind != kind {
			return errorf(store.ErrInvalid, kp+".kind", "set the secret first with `foyer tenant jwt-key "+ct.Slug+" --hs256-secret-file FILE`, then apply",
				"%s.kind: tenant %s has no HS256 secret to keep, and secrets are not in the file", kp, ct.Slug)
		}
		return nil
	}
	if has && cur.Kind == kind && string(cur.Data) == ct.JWTKey.Data {
		return nil
	}
	op := api.ChangeCreate
	if has {
		op = api.ChangeUpdate
	}
	a.note(op, "jwt-key", ct.Slug, string(kind))
	k := store.JWTKey{Tenant: ct.Slug, Kind: kind, Data: []byte(ct.JWTKey.Data)}
	if err := a.tx.SetJWTKey(&k); err != nil {
		return at(kp, err)
	}
	return nil
}

// applyAPIKeys creates the entry's API keys the store lacks (their tokens
// are answered once) and prunes or keeps the others. A key's expiry
// cannot change: revoke it and apply again.
func (a *applier) applyAPIKeys(path string, ct api.ConfigTenant) error {
	cur, err := a.tx.APIKeys(ct.Slug)
	if err != nil {
		return err
	}
	for i, ck := range ct.APIKeys {
		kp := fmt.Sprintf("%s.api_keys[%d]", path, i)
		j := slices.IndexFunc(cur, func(k store.APIKey) bool { return k.Name == ck.Name })
		if j >= 0 {
			if !cur[j].Expires.Equal(ck.Expires) {
				return errorf(store.ErrInvalid, kp+".expires", fmt.Sprintf("revoke it (`foyer apikey revoke %s %s`) and apply again for a new key", ct.Slug, ck.Name),
					"%s.expires: the expiry of API key %s cannot change", kp, ck.Name)
			}
			continue
		}
		nk := a.tokens[ct.Slug+"/"+ck.Name]
		k := store.APIKey{ID: nk.id, Tenant: ct.Slug, Name: ck.Name, Hash: nk.hash, Expires: ck.Expires}
		a.note(api.ChangeCreate, "api-key", ct.Slug+" "+ck.Name, "its token is shown once, after apply")
		if err := a.tx.CreateAPIKey(&k); err != nil {
			return at(kp, err)
		}
		a.keys = append(a.keys, api.CreatedAPIKey{APIKey: api.APIKey{ID: k.ID, Tenant: k.Tenant, Name: k.Name,
			Created: k.Created, Expires: k.Expires}, Token: nk.token})
	}
	for _, k := range cur {
		if slices.ContainsFunc(ct.APIKeys, func(ck api.ConfigAPIKey) bool { return ck.Name == k.Name }) {
			continue
		}
		if err := a.extra("api-key", ct.Slug+" "+k.Name, func() error { return a.tx.RevokeAPIKey(ct.Slug, k.Name) }); err != nil {
			return err
		}
	}
	return nil
}

package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
)

// Aliases

func (t *tx) AddTenantAlias(slug, alias string) error {
	tn, err := t.Tenant(slug)
	if err != nil {
		return err
	}
	if err := validateSlug("tenant.alias", alias); err != nil {
		return err
	}
	if slices.Contains(tn.Aliases, alias) {
		return nil
	}
	if err := t.checkLabelFree("tenant.alias", alias); err != nil {
		return err
	}
	tn.Aliases = append(tn.Aliases, alias)
	slices.Sort(tn.Aliases)
	tn.Updated = t.now
	if err := t.change("tenant.alias.add %s %s", slug, alias); err != nil {
		return err
	}
	return putJSON(t.kv, BucketTenants, slug, tn)
}

func (t *tx) RemoveTenantAlias(slug, alias string) error {
	tn, err := t.Tenant(slug)
	if err != nil {
		return err
	}
	i := slices.Index(tn.Aliases, alias)
	if i < 0 {
		return notFound("alias", alias, fmt.Sprintf("see the tenant's hosts with `foyer tenant show %s`", slug))
	}
	tn.Aliases = slices.Delete(tn.Aliases, i, i+1)
	if len(tn.Aliases) == 0 {
		tn.Aliases = nil
	}
	tn.Updated = t.now
	if err := t.change("tenant.alias.rm %s %s", slug, alias); err != nil {
		return err
	}
	return putJSON(t.kv, BucketTenants, slug, tn)
}

// checkLabelFree refuses a label (a new slug or alias) that is already a
// slug or an alias of any tenant. A slug is a key; an alias is looked for
// only in the tenants whose record names the label (see listNaming).
func (t *tx) checkLabelFree(field, label string) error {
	if t.kv.Get(BucketTenants, label) != nil {
		return Errf(ErrConflict, field, "pick another name", "%q is the slug of tenant %s", label, label)
	}
	ts, err := listNaming(t.kv, BucketTenants, "", label, func(o *Tenant) bool {
		return o.Slug == label || slices.Contains(o.Aliases, label)
	})
	if err != nil {
		return err
	}
	for _, o := range ts {
		if o.Slug == label {
			return Errf(ErrConflict, field, "pick another name", "%q is the slug of tenant %s", label, o.Slug)
		}
		return Errf(ErrConflict, field, fmt.Sprintf("remove it first: foyer tenant alias rm %s %s", o.Slug, label),
			"%q is an alias of tenant %s", label, o.Slug)
	}
	return nil
}

// checkIDPaths refuses a change that would give two tenants overlapping
// id-path prefixes. changed (a tenant as it will be stored, possibly new)
// and plan (a plan as it will be stored) replace their stored versions;
// either may be nil.
func (t *tx) checkIDPaths(changed *Tenant, plan *Plan) error {
	if plan == nil && changed != nil {
		// A tenant that claims no id-path cannot overlap another: skip
		// reading every tenant (most tenants' writes).
		if claims, err := t.claimsIDPath(changed); err != nil || !claims {
			return err
		}
	}
	ts, err := t.Tenants()
	if err != nil {
		return err
	}
	if changed != nil {
		i := slices.IndexFunc(ts, func(o Tenant) bool { return o.Slug == changed.Slug })
		if i < 0 {
			ts = append(ts, *changed)
		} else {
			ts[i] = *changed
		}
	}
	plans, err := t.Plans()
	if err != nil {
		return err
	}
	byName := make(map[string]Policy, len(plans)+1)
	for _, p := range plans {
		byName[p.Name] = p.Policy
	}
	if plan != nil {
		byName[plan.Name] = plan.Policy
	}
	type claim struct{ slug, path string }
	var claims []claim
	for _, tn := range ts {
		eff, err := ResolvePolicy(byName[tn.Plan], tn.Policy)
		if err != nil || eff.IDPath == "" {
			continue // a policy that does not resolve is refused elsewhere
		}
		for _, c := range claims {
			if PathsOverlap(c.path, eff.IDPath) {
				return Errf(ErrConflict, "policy.id-path", "give each tenant its own prefix",
					"id-path %s of tenant %s overlaps %s of tenant %s", eff.IDPath, tn.Slug, c.path, c.slug)
			}
		}
		claims = append(claims, claim{tn.Slug, eff.IDPath})
	}
	return nil
}

// JWT keys

func (t *tx) JWTKeys() ([]JWTKey, error) { return list[JWTKey](t.kv, BucketJWTKeys, "") }

func (t *tx) JWTKey(slug string) (JWTKey, error) {
	var k JWTKey
	ok, err := getJSON(t.kv, BucketJWTKeys, slug, &k)
	if err == nil && !ok {
		err = notFound("jwt key of tenant", slug, fmt.Sprintf("set one with `foyer tenant jwt-key %s --file KEY`", slug))
	}
	return k, err
}

func (t *tx) SetJWTKey(k *JWTKey) error {
	if _, err := t.Tenant(k.Tenant); err != nil {
		return err
	}
	if _, err := ParseJWTKey(k.Kind, k.Data); err != nil {
		return invalid("jwt_key", "send a PEM public key, a JWKS document, or an HS256 secret of 32 bytes or more", "%v", err)
	}
	k.Updated = t.now
	sum := sha256.Sum256(k.Data)
	if err := t.change("tenant.jwt-key %s %s sha256:%s", k.Tenant, k.Kind, hex.EncodeToString(sum[:4])); err != nil {
		return err
	}
	return putJSON(t.kv, BucketJWTKeys, k.Tenant, k)
}

func (t *tx) RemoveJWTKey(slug string) error {
	if _, err := t.JWTKey(slug); err != nil {
		return err
	}
	if err := t.change("tenant.jwt-key.rm %s", slug); err != nil {
		return err
	}
	return t.kv.Delete(BucketJWTKeys, slug)
}

// claimsIDPath reports whether tn's effective policy (its plan's with its
// overrides) has an id-path. A plan that is missing or a policy that does
// not resolve claims none: those are refused elsewhere.
func (t *tx) claimsIDPath(tn *Tenant) (bool, error) {
	var pp Policy
	if tn.Plan != "" {
		p, err := t.Plan(tn.Plan)
		if errors.Is(err, ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		pp = p.Policy
	}
	eff, err := ResolvePolicy(pp, tn.Policy)
	return err == nil && eff.IDPath != "", nil
}

package admin

import (
	"fmt"
	"net/http"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// tenantPolicy reads what GET /v1/tenants/{slug}/policy shows.
func tenantPolicy(tx store.Tx, slug string) (api.TenantPolicy, error) {
	tn, err := tx.Tenant(slug)
	if err != nil {
		return api.TenantPolicy{}, err
	}
	var pp store.Policy
	if tn.Plan != "" {
		p, err := tx.Plan(tn.Plan)
		if err != nil {
			return api.TenantPolicy{}, err
		}
		pp = p.Policy
	}
	out := api.TenantPolicy{Tenant: tn.Slug, Plan: tn.Plan, Overrides: map[string]string{}}
	for k, v := range tn.Policy {
		out.Overrides[k] = v
	}
	for _, v := range store.ExplainPolicy(pp, tn.Policy) {
		out.Effective = append(out.Effective, api.PolicyValue{Key: v.Key, Value: v.Value, Source: v.Source, Doc: v.Doc})
	}
	return out, nil
}

// getPolicy is GET /v1/tenants/{slug}/policy.
func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) error {
	var out api.TenantPolicy
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) {
		out, err = tenantPolicy(tx, r.PathValue("slug"))
		return err
	})
	if err != nil {
		return fmt.Errorf("reading policy: %w", err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// changes merges a request's set and unset into one store.Policy, in which
// "" removes a key.
func changes(req api.SetPolicyRequest) (store.Policy, error) {
	p := store.Policy{}
	for k, v := range req.Set {
		p[k] = v
	}
	for _, k := range req.Unset {
		if _, ok := req.Set[k]; ok {
			return nil, errorf(errBadRequest, "unset", "", "key %q is both set and unset", k)
		}
		if _, err := store.LookupPolicyKey(k); err != nil {
			return nil, err
		}
		p[k] = ""
	}
	return p, nil
}

// putPolicy is PUT /v1/tenants/{slug}/policy: the plan first, then the
// overrides, in one transaction.
func (s *Server) putPolicy(w http.ResponseWriter, r *http.Request) error {
	var req api.SetPolicyRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	set, err := changes(req)
	if err != nil {
		return err
	}
	slug := r.PathValue("slug")
	var out api.TenantPolicy
	err = s.update(r, func(tx store.Tx) (err error) {
		if req.Plan != nil {
			if err := tx.SetTenantPlan(slug, *req.Plan); err != nil {
				return err
			}
		}
		if err := tx.SetTenantPolicy(slug, set); err != nil {
			return err
		}
		out, err = tenantPolicy(tx, slug)
		return err
	})
	if err != nil {
		return fmt.Errorf("setting policy: %w", err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// plans reads every plan with the tenants on it.
func plans(tx store.Tx) ([]api.Plan, error) {
	ps, err := tx.Plans()
	if err != nil {
		return nil, err
	}
	ts, err := tx.Tenants()
	if err != nil {
		return nil, err
	}
	out := make([]api.Plan, len(ps))
	for i, p := range ps {
		out[i] = apiPlan(p, ts)
	}
	return out, nil
}

func apiPlan(p store.Plan, ts []store.Tenant) api.Plan {
	out := api.Plan{Name: p.Name, Policy: map[string]string{}, Tenants: []string{}, Created: p.Created, Updated: p.Updated}
	for k, v := range p.Policy {
		out.Policy[k] = v
	}
	for _, t := range ts {
		if t.Plan == p.Name {
			out.Tenants = append(out.Tenants, t.Slug)
		}
	}
	return out
}

// listPlans is GET /v1/plans.
func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) error {
	var out []api.Plan
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) { out, err = plans(tx); return err })
	if err != nil {
		return fmt.Errorf("listing plans: %w", err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// createPlan is POST /v1/plans.
func (s *Server) createPlan(w http.ResponseWriter, r *http.Request) error {
	var req api.CreatePlanRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	p := store.Plan{Name: req.Name, Policy: store.Policy(req.Policy)}
	err := s.update(r, func(tx store.Tx) error {
		if _, err := tx.Plan(req.Name); err == nil {
			return errorf(store.ErrExists, "plan.name", "change it with `foyer plan set`", "plan %q already exists", req.Name)
		}
		p = store.Plan{Name: req.Name, Policy: store.Policy(req.Policy)}
		return tx.PutPlan(&p)
	})
	if err != nil {
		return fmt.Errorf("creating plan: %w", err)
	}
	writeJSON(w, http.StatusCreated, apiPlan(p, nil))
	return nil
}

// setPlan is PUT /v1/plans/{name}: set and unset keys of an existing plan.
func (s *Server) setPlan(w http.ResponseWriter, r *http.Request) error {
	var req api.SetPolicyRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	set, err := changes(req)
	if err != nil {
		return err
	}
	var out api.Plan
	err = s.update(r, func(tx store.Tx) error {
		p, err := tx.Plan(r.PathValue("name"))
		if err != nil {
			return err
		}
		next := store.Policy{}
		for k, v := range p.Policy {
			next[k] = v
		}
		for k, v := range set {
			if v == "" {
				delete(next, k)
			} else {
				next[k] = v
			}
		}
		p.Policy = next
		if err := tx.PutPlan(&p); err != nil {
			return err
		}
		ts, err := tx.Tenants()
		out = apiPlan(p, ts)
		return err
	})
	if err != nil {
		return fmt.Errorf("changing plan: %w", err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// deletePlan is DELETE /v1/plans/{name}.
func (s *Server) deletePlan(w http.ResponseWriter, r *http.Request) error {
	err := s.update(r, func(tx store.Tx) error { return tx.RemovePlan(r.PathValue("name")) })
	if err != nil {
		return fmt.Errorf("removing plan: %w", err)
	}
	writeNoContent(w)
	return nil
}

func apiKey(k store.APIKey) api.APIKey {
	return api.APIKey{ID: k.ID, Tenant: k.Tenant, Name: k.Name, Created: k.Created, Expires: k.Expires, LastUsed: k.LastUsed}
}

// listAPIKeys is GET /v1/tenants/{slug}/apikeys.
func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request) error {
	var keys []store.APIKey
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) {
		if _, err := tx.Tenant(r.PathValue("slug")); err != nil {
			return err
		}
		keys, err = tx.APIKeys(r.PathValue("slug"))
		return err
	})
	if err != nil {
		return fmt.Errorf("listing api keys: %w", err)
	}
	writeJSON(w, http.StatusOK, mapSlice(keys, apiKey))
	return nil
}

// maxKeyLife bounds an API key's expiry.
const maxKeyLife = 10 * 365 * 24 * time.Hour

// createAPIKey is POST /v1/tenants/{slug}/apikeys. The token is generated
// here, outside the transaction (which may run twice), and answered once.
func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	var req api.CreateAPIKeyRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var expires time.Time
	if req.Expires != "" {
		d, err := time.ParseDuration(req.Expires)
		if err != nil || d <= 0 || d > maxKeyLife {
			return errorf(store.ErrInvalid, "expires", "give a duration such as 720h (30 days)",
				"expires must be a positive duration of at most %s, got %q", maxKeyLife, req.Expires)
		}
		expires = time.Now().Add(d).UTC().Truncate(time.Second)
	}
	tok, id, hash, err := store.NewAPIKeyToken()
	if err != nil {
		return err
	}
	var k store.APIKey
	err = s.update(r, func(tx store.Tx) error {
		k = store.APIKey{ID: id, Tenant: r.PathValue("slug"), Name: req.Name, Hash: hash, Expires: expires}
		return tx.CreateAPIKey(&k)
	})
	if err != nil {
		return fmt.Errorf("creating api key: %w", err)
	}
	writeJSON(w, http.StatusCreated, api.CreatedAPIKey{APIKey: apiKey(k), Token: tok})
	return nil
}

// revokeAPIKey is DELETE /v1/tenants/{slug}/apikeys/{name}.
func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	err := s.update(r, func(tx store.Tx) error { return tx.RevokeAPIKey(r.PathValue("slug"), r.PathValue("name")) })
	if err != nil {
		return fmt.Errorf("revoking api key: %w", err)
	}
	writeNoContent(w)
	return nil
}

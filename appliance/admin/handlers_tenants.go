package admin

import (
	"fmt"
	"net/http"
	"sort"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// listTenants is GET /v1/tenants?limit&cursor; the cursor is the last slug
// of the previous page.
func (s *Server) listTenants(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	all, err := s.store.ListTenants(r.Context())
	if err != nil {
		return fmt.Errorf("listing tenants: %w", err)
	}
	writeJSON(w, http.StatusOK, pageTenants(all, r.URL.Query().Get("cursor"), limit))
	return nil
}

// pageTenants returns up to limit of the tenants (sorted by slug) whose
// slug sorts after cursor.
func pageTenants(all []store.Tenant, cursor string, limit int) api.List[api.Tenant] {
	i := sort.Search(len(all), func(i int) bool { return all[i].Slug > cursor })
	rest := all[i:]
	page := api.List[api.Tenant]{}
	if len(rest) > limit {
		rest = rest[:limit]
		page.Next = rest[limit-1].Slug
	}
	page.Items = mapSlice(rest, apiTenant)
	return page
}

// createTenant is POST /v1/tenants.
func (s *Server) createTenant(w http.ResponseWriter, r *http.Request) error {
	var req api.CreateTenantRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var t store.Tenant
	err := s.update(r, func(tx store.Tx) error {
		t = store.Tenant{Slug: req.Slug, Name: req.Name}
		return tx.CreateTenant(&t)
	})
	if err != nil {
		return fmt.Errorf("creating tenant: %w", err)
	}
	writeJSON(w, http.StatusCreated, apiTenant(t))
	return nil
}

// getTenant is GET /v1/tenants/{slug}: the tenant with its pools,
// backends, domains and every host that routes to it, from one transaction.
func (s *Server) getTenant(w http.ResponseWriter, r *http.Request) error {
	var d api.TenantDetail
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) {
		d, err = tenantDetail(tx, r.PathValue("slug"))
		return err
	})
	if err != nil {
		return fmt.Errorf("reading tenant: %w", err)
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// tenantDetail reads everything GET /v1/tenants/{slug} shows.
func tenantDetail(tx store.Tx, slug string) (api.TenantDetail, error) {
	t, err := tx.Tenant(slug)
	if err != nil {
		return api.TenantDetail{}, err
	}
	pools, err := tx.Pools(slug)
	if err != nil {
		return api.TenantDetail{}, err
	}
	backends, err := tx.Backends(slug)
	if err != nil {
		return api.TenantDetail{}, err
	}
	domains, err := tx.Domains(slug)
	if err != nil {
		return api.TenantDetail{}, err
	}
	st, err := tx.Settings()
	if err != nil {
		return api.TenantDetail{}, err
	}
	return api.TenantDetail{
		Tenant: apiTenant(t), Pools: mapSlice(pools, apiPool), Backends: mapSlice(backends, apiBackend),
		Domains: mapSlice(domains, apiDomain), Hosts: hosts(t, st.BaseDomain, domains),
	}, nil
}

// hosts lists every host that routes to a tenant: <slug>.<base> and
// <alias>.<base> when a base domain is set, then its custom domains.
func hosts(t store.Tenant, base string, domains []store.Domain) []string {
	out := []string{}
	if base != "" {
		out = append(out, t.Slug+"."+base)
		for _, a := range t.Aliases {
			out = append(out, a+"."+base)
		}
	}
	for _, d := range domains {
		out = append(out, d.Name)
	}
	return out
}

// updateTenant is PATCH /v1/tenants/{slug}: name and state; absent fields
// are kept.
func (s *Server) updateTenant(w http.ResponseWriter, r *http.Request) error {
	var req api.UpdateTenantRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var t store.Tenant
	err := s.update(r, func(tx store.Tx) (err error) {
		if t, err = tx.Tenant(r.PathValue("slug")); err != nil {
			return err
		}
		if req.Name != nil {
			t.Name = *req.Name
		}
		if req.State != nil {
			t.State = store.TenantState(*req.State)
		}
		return tx.UpdateTenant(&t)
	})
	if err != nil {
		return fmt.Errorf("updating tenant: %w", err)
	}
	writeJSON(w, http.StatusOK, apiTenant(t))
	return nil
}

// deleteTenant is DELETE /v1/tenants/{slug}?force=bool.
func (s *Server) deleteTenant(w http.ResponseWriter, r *http.Request) error {
	force, err := queryBool(r, "force")
	if err != nil {
		return err
	}
	err = s.update(r, func(tx store.Tx) error { return tx.DeleteTenant(r.PathValue("slug"), force) })
	if err != nil {
		return fmt.Errorf("deleting tenant: %w", err)
	}
	writeNoContent(w)
	return nil
}

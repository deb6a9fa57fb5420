package admin

import (
	"fmt"
	"net/http"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// listDomains is GET /v1/domains?tenant=; a named tenant must exist.
func (s *Server) listDomains(w http.ResponseWriter, r *http.Request) error {
	tenant := r.URL.Query().Get("tenant")
	var ds []store.Domain
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) {
		if tenant != "" {
			if _, err := tx.Tenant(tenant); err != nil {
				return err
			}
		}
		ds, err = tx.Domains(tenant)
		return err
	})
	if err != nil {
		return fmt.Errorf("listing domains: %w", err)
	}
	writeJSON(w, http.StatusOK, mapSlice(ds, apiDomain))
	return nil
}

// getDomain is GET /v1/domains/{name}.
func (s *Server) getDomain(w http.ResponseWriter, r *http.Request) error {
	d, err := s.store.Domain(r.Context(), r.PathValue("name"))
	if err != nil {
		return fmt.Errorf("reading domain: %w", err)
	}
	writeJSON(w, http.StatusOK, apiDomain(d))
	return nil
}

// addDomain is POST /v1/tenants/{slug}/domains.
func (s *Server) addDomain(w http.ResponseWriter, r *http.Request) error {
	var req api.AddDomainRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var d store.Domain
	err := s.update(r, func(tx store.Tx) error {
		d = store.Domain{Tenant: r.PathValue("slug"), Name: req.Name}
		return tx.AddDomain(&d)
	})
	if err != nil {
		return fmt.Errorf("adding domain: %w", err)
	}
	writeJSON(w, http.StatusCreated, apiDomain(d))
	return nil
}

// removeDomain is DELETE /v1/domains/{name}.
func (s *Server) removeDomain(w http.ResponseWriter, r *http.Request) error {
	err := s.update(r, func(tx store.Tx) error { return tx.RemoveDomain(r.PathValue("name")) })
	if err != nil {
		return fmt.Errorf("removing domain: %w", err)
	}
	writeNoContent(w)
	return nil
}

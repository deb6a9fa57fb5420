package admin

import (
	"errors"
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
	var set store.Settings
	err := s.update(r, func(tx store.Tx) (err error) {
		d = store.Domain{Tenant: r.PathValue("slug"), Name: req.Name}
		if set, err = tx.Settings(); err != nil {
			return err
		}
		return tx.AddDomain(&d)
	})
	if err != nil {
		return fmt.Errorf("adding domain: %w", err)
	}
	out := apiDomain(d)
	out.Setup = domainSetup(d, set)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// domainSetup is the DNS records that make d point at this box.
func domainSetup(d store.Domain, s store.Settings) *api.DomainSetup {
	out := &api.DomainSetup{CNAME: s.CNAMETarget, Addresses: s.PublicIPs,
		TXTName: "_foyer-challenge." + d.Name, TXTValue: d.Token}
	if out.CNAME == "" && s.BaseDomain != "" {
		out.CNAME = d.Tenant + "." + s.BaseDomain
	}
	return out
}

// checkDomain is POST /v1/domains/{name}/check.
func (s *Server) checkDomain(w http.ResponseWriter, r *http.Request) error {
	if s.checker == nil {
		return errors.New("checking a domain needs the running appliance")
	}
	out, err := s.checker(r.Context(), r.PathValue("name"))
	if err != nil {
		return fmt.Errorf("checking domain: %w", err)
	}
	d, err := s.store.Domain(r.Context(), r.PathValue("name"))
	if err != nil {
		return fmt.Errorf("reading domain: %w", err)
	}
	out.Domain = apiDomain(d)
	writeJSON(w, http.StatusOK, out)
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

package admin

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// inScope refuses a tenant-scoped identity a route outside its tenant:
// routes not in tenantScopes, another tenant's slug, another tenant's
// domain. A domain that does not exist passes, so the handler answers 404.
func (s *Server) inScope(r *http.Request, sc scope, id Identity) error {
	const hint = "a tenant token may only use its tenant's routes (tenant, backends, domains, logs, usage); use an admin token for the rest"
	switch sc {
	case scopeSlug:
		if slug := r.PathValue("slug"); slug != id.Tenant {
			return errorf(errForbidden, "", hint, "%s is limited to tenant %s, not %s", id.Actor(), id.Tenant, slug)
		}
		return nil
	case scopeDomain:
		d, err := s.store.Domain(r.Context(), r.PathValue("name"))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading domain: %w", err)
		}
		if d.Tenant != id.Tenant {
			return errorf(errForbidden, "", hint, "%s is limited to tenant %s; domain %s is another tenant's", id.Actor(), id.Tenant, d.Name)
		}
		return nil
	case scopeQuery:
		if t := r.URL.Query().Get("tenant"); t != id.Tenant {
			if t == "" {
				return errorf(errForbidden, "tenant", "add ?tenant="+id.Tenant+" (foyer logs --tenant "+id.Tenant+"); an admin token may read every tenant's",
					"%s is limited to tenant %s; name it with ?tenant=", id.Actor(), id.Tenant)
			}
			return errorf(errForbidden, "tenant", hint, "%s is limited to tenant %s, not %s", id.Actor(), id.Tenant, t)
		}
		return nil
	}
	return errorf(errForbidden, "", hint, "%s is limited to tenant %s and may not call %s %s", id.Actor(), id.Tenant, r.Method, r.URL.Path)
}

// apiToken is a token as the API shows it: never its text or hash.
func apiToken(k store.Token) api.APIToken {
	return api.APIToken{ID: k.ID, Name: k.Name, Role: k.Role, Created: k.Created, LastUsed: k.LastUsed}
}

// listTokens is GET /v1/tokens.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	var ks []store.Token
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) { ks, err = tx.Tokens(); return err })
	if err != nil {
		return fmt.Errorf("listing tokens: %w", err)
	}
	writeJSON(w, http.StatusOK, mapSlice(ks, apiToken))
	return nil
}

// createToken is POST /v1/tokens. The token is generated here, outside the
// transaction (which may run twice), and answered once.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	var req api.CreateTokenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	text, id, hash, err := store.NewToken()
	if err != nil {
		return err
	}
	var k store.Token
	err = s.update(r, func(tx store.Tx) error {
		k = store.Token{ID: id, Name: req.Name, Role: req.Role, Hash: hash}
		return tx.CreateToken(&k)
	})
	if err != nil {
		return fmt.Errorf("creating token: %w", err)
	}
	writeJSON(w, http.StatusCreated, api.CreatedAPIToken{APIToken: apiToken(k), Token: text})
	return nil
}

// revokeToken is DELETE /v1/tokens/{name}.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	err := s.update(r, func(tx store.Tx) error { return tx.RevokeToken(r.PathValue("name")) })
	if err != nil {
		return fmt.Errorf("revoking token: %w", err)
	}
	writeNoContent(w)
	return nil
}

// listTenantDomains is GET /v1/tenants/{slug}/domains: the tenant's
// domains (the tenant must exist), as GET /v1/domains?tenant= answers.
func (s *Server) listTenantDomains(w http.ResponseWriter, r *http.Request) error {
	var ds []store.Domain
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) {
		if _, err := tx.Tenant(r.PathValue("slug")); err != nil {
			return err
		}
		ds, err = tx.Domains(r.PathValue("slug"))
		return err
	})
	if err != nil {
		return fmt.Errorf("listing domains: %w", err)
	}
	writeJSON(w, http.StatusOK, mapSlice(ds, apiDomain))
	return nil
}

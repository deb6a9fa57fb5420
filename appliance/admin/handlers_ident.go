package admin

import (
	"fmt"
	"net/http"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// addAlias is PUT /v1/tenants/{slug}/aliases/{alias}.
func (s *Server) addAlias(w http.ResponseWriter, r *http.Request) error {
	err := s.update(r, func(tx store.Tx) error { return tx.AddTenantAlias(r.PathValue("slug"), r.PathValue("alias")) })
	if err != nil {
		return fmt.Errorf("adding alias: %w", err)
	}
	writeNoContent(w)
	return nil
}

// removeAlias is DELETE /v1/tenants/{slug}/aliases/{alias}.
func (s *Server) removeAlias(w http.ResponseWriter, r *http.Request) error {
	err := s.update(r, func(tx store.Tx) error { return tx.RemoveTenantAlias(r.PathValue("slug"), r.PathValue("alias")) })
	if err != nil {
		return fmt.Errorf("removing alias: %w", err)
	}
	writeNoContent(w)
	return nil
}

// setJWTKey is PUT /v1/tenants/{slug}/jwt-key. The key material is never
// logged or returned.
func (s *Server) setJWTKey(w http.ResponseWriter, r *http.Request) error {
	var req api.SetJWTKeyRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	k := store.JWTKey{Tenant: r.PathValue("slug"), Kind: store.JWTKeyKind(req.Kind), Data: req.Data}
	if err := s.update(r, func(tx store.Tx) error { c := k; return tx.SetJWTKey(&c) }); err != nil {
		return fmt.Errorf("setting jwt key: %w", err)
	}
	writeNoContent(w)
	return nil
}

// removeJWTKey is DELETE /v1/tenants/{slug}/jwt-key.
func (s *Server) removeJWTKey(w http.ResponseWriter, r *http.Request) error {
	if err := s.update(r, func(tx store.Tx) error { return tx.RemoveJWTKey(r.PathValue("slug")) }); err != nil {
		return fmt.Errorf("removing jwt key: %w", err)
	}
	writeNoContent(w)
	return nil
}

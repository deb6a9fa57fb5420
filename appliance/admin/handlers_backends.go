package admin

import (
	"fmt"
	"net/http"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// listBackends is GET /v1/tenants/{slug}/backends.
func (s *Server) listBackends(w http.ResponseWriter, r *http.Request) error {
	bs, err := s.store.ListBackends(r.Context(), r.PathValue("slug"))
	if err != nil {
		return fmt.Errorf("listing backends: %w", err)
	}
	writeJSON(w, http.StatusOK, mapSlice(bs, s.apiBackendHealth))
	return nil
}

// addBackend is POST /v1/tenants/{slug}/pools/{pool}/backends.
func (s *Server) addBackend(w http.ResponseWriter, r *http.Request) error {
	var req api.AddBackendRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var b store.Backend
	err := s.update(r, func(tx store.Tx) error {
		b = store.Backend{Tenant: r.PathValue("slug"), Pool: r.PathValue("pool"), URL: req.URL, Weight: req.Weight}
		return tx.AddBackend(&b)
	})
	if err != nil {
		return fmt.Errorf("adding backend: %w", err)
	}
	writeJSON(w, http.StatusCreated, apiBackend(b))
	return nil
}

// removeBackend is DELETE /v1/tenants/{slug}/pools/{pool}/backends?url=.
func (s *Server) removeBackend(w http.ResponseWriter, r *http.Request) error {
	u := r.URL.Query().Get("url")
	if u == "" {
		return errorf(errBadRequest, "url", "name the backend: ?url=http://127.0.0.1:8001",
			"query parameter url is missing")
	}
	err := s.update(r, func(tx store.Tx) error {
		return tx.RemoveBackend(r.PathValue("slug"), r.PathValue("pool"), u)
	})
	if err != nil {
		return fmt.Errorf("removing backend: %w", err)
	}
	writeNoContent(w)
	return nil
}

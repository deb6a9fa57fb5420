package admin

import (
	"fmt"
	"net/http"

	"github.com/foyerhq/foyer/store"
)

// listAllBackends is GET /v1/backends: every tenant's backends with their
// runtime health, in one store read, ordered by tenant then pool and ID.
func (s *Server) listAllBackends(w http.ResponseWriter, r *http.Request) error {
	var bs []store.Backend
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) {
		bs, err = tx.Backends("")
		return err
	})
	if err != nil {
		return fmt.Errorf("listing backends: %w", err)
	}
	writeJSON(w, http.StatusOK, mapSlice(bs, s.apiBackendHealth))
	return nil
}

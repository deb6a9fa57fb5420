package admin

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/foyerhq/foyer/acme"
	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// getCARoot is GET /v1/ca/root: the internal CA's root certificate, for
// clients to trust. Its key never leaves the store.
func (s *Server) getCARoot(w http.ResponseWriter, r *http.Request) error {
	root, err := acme.InternalRoot(r.Context(), s.store)
	if errors.Is(err, acme.ErrNoInternalCA) {
		return s.noCARoot(r)
	}
	if err != nil {
		return fmt.Errorf("reading the internal CA: %w", err)
	}
	writeJSON(w, http.StatusOK, api.CARoot{CertPEM: string(root)})
	return nil
}

// noCARoot is the not-found answer, with a hint that depends on whether
// internal-ca is on (the daemon makes the CA as it applies the setting).
func (s *Server) noCARoot(r *http.Request) error {
	var on bool
	err := s.store.View(r.Context(), func(tx store.Tx) error {
		st, err := tx.Settings()
		on = st.InternalCA
		return err
	})
	if err != nil {
		return fmt.Errorf("reading settings: %w", err)
	}
	hint := "turn it on with `foyer settings set internal-ca on`; foyer then makes its CA and issues certificates with it"
	if on {
		hint = "internal-ca is on and the daemon makes the CA as it applies it; retry in a moment, and see `foyer status` if it persists"
	}
	return errorf(store.ErrNotFound, "", hint, "foyer has no internal CA yet")
}

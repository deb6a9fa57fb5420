package admin

import (
	"fmt"
	"net/http"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// listCerts is GET /v1/certs: imported certificates, then obtained ones;
// private keys are never shown.
func (s *Server) listCerts(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.store.ListCerts(r.Context())
	if err != nil {
		return fmt.Errorf("listing certificates: %w", err)
	}
	out := mapSlice(cs, apiCert)
	if s.issued != nil {
		issued, _, err := s.issued(r.Context())
		if err != nil {
			return fmt.Errorf("listing issued certificates: %w", err)
		}
		out = append(out, issued...)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// certBudgets is GET /v1/certs/budget.
func (s *Server) certBudgets(w http.ResponseWriter, r *http.Request) error {
	out := []api.CertBudget{}
	if s.issued != nil {
		_, b, err := s.issued(r.Context())
		if err != nil {
			return fmt.Errorf("counting issued certificates: %w", err)
		}
		out = append(out, b...)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// addCert is POST /v1/certs: import (or replace) a certificate and its
// key. The answer, like every log line, leaves the key out.
func (s *Server) addCert(w http.ResponseWriter, r *http.Request) error {
	var req api.AddCertRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var c store.Certificate
	err := s.update(r, func(tx store.Tx) error {
		c = store.Certificate{Name: req.Name, CertPEM: req.CertPEM, KeyPEM: req.KeyPEM}
		return tx.PutCert(&c)
	})
	if err != nil {
		return fmt.Errorf("importing certificate: %w", err)
	}
	writeJSON(w, http.StatusCreated, apiCert(c))
	return nil
}

// removeCert is DELETE /v1/certs/{name}.
func (s *Server) removeCert(w http.ResponseWriter, r *http.Request) error {
	err := s.update(r, func(tx store.Tx) error { return tx.RemoveCert(r.PathValue("name")) })
	if err != nil {
		return fmt.Errorf("removing certificate: %w", err)
	}
	writeNoContent(w)
	return nil
}

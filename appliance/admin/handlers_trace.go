package admin

import (
	"errors"
	"net/http"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// trace is POST /v1/trace: how the appliance would handle a request. It
// only reads, so it needs read access.
func (s *Server) trace(w http.ResponseWriter, r *http.Request) error {
	var req api.TraceRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if s.tracer == nil {
		return errors.New("tracing needs the running appliance; this server has no proxy")
	}
	if req.URL == "" {
		return errorf(errBadRequest, "url", "for example: foyer trace http://acme.example.com/", "a URL to trace is required")
	}
	rep, err := s.tracer(r.Context(), req)
	if err != nil {
		return errorf(errBadRequest, "", "", "%s", err.Error())
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

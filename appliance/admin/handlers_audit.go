package admin

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// listAudit is GET /v1/audit?limit&cursor: entries newest first; the
// cursor is the seq to continue before.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	before, err := auditCursor(r)
	if err != nil {
		return err
	}
	es, err := s.store.AuditLog(r.Context(), limit+1, before) // one more: is there a next page?
	if err != nil {
		return fmt.Errorf("reading audit log: %w", err)
	}
	page := api.List[api.AuditEntry]{}
	if len(es) > limit {
		es = es[:limit]
		page.Next = strconv.FormatUint(es[limit-1].Seq, 10)
	}
	page.Items = mapSlice(es, apiEntry)
	writeJSON(w, http.StatusOK, page)
	return nil
}

// auditCursor reads the cursor parameter: a seq, or 0 for the newest.
func auditCursor(r *http.Request) (uint64, error) {
	s := r.URL.Query().Get("cursor")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, errorf(errBadRequest, "cursor", "pass the next value of the previous page",
			"cursor %q is not an audit sequence number", s)
	}
	return n, nil
}

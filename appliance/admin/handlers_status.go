package admin

import (
	"fmt"
	"net/http"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// getStatus is GET /v1/status: the appliance's Info plus the store's
// revision and counts, read in one transaction.
func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.store.Snapshot(r.Context())
	if err != nil {
		return fmt.Errorf("reading status: %w", err)
	}
	info := s.info()
	st := api.Status{
		Version: info.Version, Commit: info.Commit, Started: info.Started,
		Listeners: info.Listeners, Revision: snap.Revision,
		TableRevision: info.TableRevision, TableError: info.TableError, DataDir: info.DataDir,
		Counts: api.Counts{Tenants: len(snap.Tenants), Backends: len(snap.Backends),
			Domains: len(snap.Domains), Certs: snap.CertCount},
	}
	if !info.Started.IsZero() {
		st.UptimeSeconds = s.now().Sub(info.Started).Seconds()
	}
	if st.Listeners == nil {
		st.Listeners = map[string]string{}
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

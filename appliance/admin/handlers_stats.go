package admin

import (
	"errors"
	"net/http"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/traffic"
)

// getStats is GET /v1/stats[?tenant=slug]: the latest published live
// numbers (at most a second old), of every active tenant or of one.
func (s *Server) getStats(w http.ResponseWriter, r *http.Request) error {
	if s.stats == nil {
		return errors.New("live numbers need the running appliance; this server has no proxy")
	}
	st := statsWire(s.stats().Snapshot)
	if t := r.URL.Query().Get("tenant"); t != "" {
		var keep []api.TenantStats
		for _, ts := range st.Tenants {
			if ts.Tenant == t {
				keep = append(keep, ts)
			}
		}
		st.Tenants = keep
	}
	if st.Tenants == nil {
		st.Tenants = []api.TenantStats{}
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// statsWire is the wire form of a snapshot.
func statsWire(snap *traffic.Snapshot) api.Stats {
	out := api.Stats{Time: snap.Time, Tenants: make([]api.TenantStats, 0, len(snap.Tenants))}
	for _, t := range snap.Tenants {
		ts := api.TenantStats{Tenant: t.Tenant, Rate1: t.Rate1, Rate10: t.Rate10, Rate60: t.Rate60,
			ErrorRatio: t.ErrorRatio, P50: t.P50, P90: t.P90, P99: t.P99,
			BytesInRate: t.BytesInRate, BytesOutRate: t.BytesOutRate, InFlight: t.InFlight,
			Requests: t.Requests, Status: t.Status, BytesIn: t.BytesIn, BytesOut: t.BytesOut,
			RateLimited: t.RateLimited, Rejected: t.Rejected, UpstreamErrors: t.UpstreamErrors}
		for _, b := range t.Backends {
			ts.Backends = append(ts.Backends, api.BackendStats{URL: b.URL, Requests: b.Requests, Errors: b.Errors, MeanLatency: b.MeanLatency})
		}
		out.Tenants = append(out.Tenants, ts)
	}
	return out
}

package admin

import (
	"fmt"
	"net/http"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/store"
)

// getBreaker is GET /v1/tenants/{slug}/breaker: the runtime state of the
// tenant's circuit breaker; state "off" when it has none.
func (s *Server) getBreaker(w http.ResponseWriter, r *http.Request) error {
	var t store.Tenant
	err := s.store.View(r.Context(), func(tx store.Tx) (err error) {
		t, err = tx.Tenant(r.PathValue("slug"))
		return err
	})
	if err != nil {
		return fmt.Errorf("reading breaker: %w", err)
	}
	out := api.Breaker{State: api.BreakerOff}
	if s.breaker != nil {
		if st, ok := s.breaker(t.ID); ok {
			out = apiBreaker(st, s.now())
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func apiBreaker(st balance.BreakerState, now time.Time) api.Breaker {
	out := api.Breaker{State: st.State, Since: st.Since, Requests: st.Requests, ErrorRatio: st.ErrorRatio}
	if st.State == balance.BreakerOpen {
		out.Cooldown = st.HalfOpenAt.Sub(now).Round(time.Millisecond).String()
	}
	return out
}

package admin

import (
	"net/http"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/balance"
)

// Ensure that GET /v1/tenants/{slug}/breaker shows the proxy's breaker,
// "off" for a tenant without one, and 404 for an unknown tenant.
func TestGetBreaker(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var acmeID uint64
	h := newHarness(t, func(o *Options) {
		o.Now = func() time.Time { return now }
		o.Breaker = func(id uint64) (balance.BreakerState, bool) {
			if id != acmeID {
				return balance.BreakerState{}, false
			}
			return balance.BreakerState{State: balance.BreakerOpen, Since: now.Add(-time.Second), Requests: 8,
				ErrorRatio: 0.75, HalfOpenAt: now.Add(4 * time.Second)}, true
		}
	}).serve()
	acmeID = h.mustTenant("acme").ID
	h.mustTenant("beta")
	b, err := h.client.Breaker(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	if b.State != api.BreakerOpen || b.Requests != 8 || b.ErrorRatio != 0.75 || b.Cooldown != "4s" || !b.Since.Equal(now.Add(-time.Second)) {
		t.Fatalf("acme breaker = %+v", b)
	}
	if b, err := h.client.Breaker(t.Context(), "beta"); err != nil || b.State != api.BreakerOff {
		t.Fatalf("beta breaker = %+v, %v; want off", b, err)
	}
	_, err = h.client.Breaker(t.Context(), "nope")
	apiError(t, err, http.StatusNotFound)
}

package proxy

import (
	"net/http"

	"github.com/foyerhq/foyer/appliance/balance"
	"github.com/foyerhq/foyer/appliance/route"
	"github.com/foyerhq/foyer/store"
)

// pick chooses a backend of the tenant's default pool. (Path rules that
// pick another pool come with the traffic issue.)
func (rs *routes) pick(tn *route.Tenant, r *http.Request) *balance.Upstream {
	p := tn.Pool(store.DefaultPool)
	if p == nil {
		return nil
	}
	ps := rs.pools[p.ID]
	if ps == nil {
		return nil
	}
	return ps.sel.Select(ps.ups)
}

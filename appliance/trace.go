package appliance

import (
	"context"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/appliance/proxy"
)

// trace is the admin server's Trace: the proxy's, in the API's types.
// proxy may not import admin/api (DESIGN.md's package table), so the
// translation lives here, where both are in reach; the leaf types have the
// same fields and convert directly.
func (a *Appliance) trace(ctx context.Context, req api.TraceRequest) (api.TraceReport, error) {
	r, err := a.proxy.Trace(ctx, proxy.TraceRequest{URL: req.URL, Method: req.Method, Header: req.Headers, ClientIP: req.ClientIP})
	if err != nil {
		return api.TraceReport{}, err
	}
	out := api.TraceReport{Method: r.Method, URL: r.URL, Host: r.Host, ClientIP: r.ClientIP, Tenant: r.Tenant, Rule: r.Rule,
		Matched: r.Matched, Steps: make([]api.TraceStep, len(r.Steps)), Pool: r.Pool, Algorithm: r.Algorithm,
		Pick: r.Pick, PickWhy: r.PickWhy, Exact: r.Exact, Status: r.Status, Reason: r.Reason}
	for i, s := range r.Steps {
		out.Steps[i] = api.TraceStep(s)
	}
	for _, b := range r.Backends {
		out.Backends = append(out.Backends, api.TraceBackend(b))
	}
	return out, nil
}

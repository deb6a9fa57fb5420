package admin

// tuiRoutes are the endpoints the console's feed reads in bulk, so that a
// re-read of the lists is a few calls rather than one per tenant. They are
// missing from tenantScopes on purpose: they span every tenant.
var tuiRoutes = []route{
	{"GET", "/v1/backends", read, (*Server).listAllBackends},
}

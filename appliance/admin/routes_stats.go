package admin

// statsRoutes serve the live numbers. Tenant-scoped tokens may not call
// them (they are not in tenantScopes): every tenant's numbers are an
// operator's view.
var statsRoutes = []route{
	{"GET", "/v1/stats", read, (*Server).getStats},
}

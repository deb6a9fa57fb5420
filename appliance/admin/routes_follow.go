package admin

// followRoutes are the access log's live tap (`foyer logs --follow`).
// Tenant-scoped tokens may not call it (it is not in tenantScopes).
var followRoutes = []route{
	{"GET", "/v1/logs/follow", read, (*Server).followLogs},
}

package admin

// followRoutes are the access log's live tap (`foyer logs --follow`).
// Tenant-scoped identities may follow their own tenant only (?tenant=, tenantScopes).
var followRoutes = []route{
	{"GET", "/v1/logs/follow", read, (*Server).followLogs},
}

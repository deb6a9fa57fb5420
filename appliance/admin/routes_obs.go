package admin

// obsRoutes read the stored access log (logs.db) and the usage rollups
// (foyer.db). Tenant-scoped tokens may not call them (they are not in
// tenantScopes): an operator's view across tenants.
var obsRoutes = []route{
	{"GET", "/v1/logs", read, (*Server).listLogs},
	{"GET", "/v1/usage", read, (*Server).listUsage},
}

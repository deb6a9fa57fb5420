package admin

// configRoutes are the declarative configuration's endpoints (`foyer
// export`, `foyer apply`; docs/config.md). Tenant-scoped tokens may not
// call them (they are not in tenantScopes): the document is every
// tenant's configuration.
var configRoutes = []route{
	{"GET", "/v1/export", read, (*Server).exportConfig},
	{"POST", "/v1/apply", write, (*Server).applyConfig},
}

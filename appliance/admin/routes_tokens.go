package admin

// tokenRoutes are the endpoints for the HTTPS API's bearer tokens, and the
// per-tenant domain list a tenant-scoped token uses.
var tokenRoutes = []route{
	{"GET", "/v1/tokens", read, (*Server).listTokens},
	{"POST", "/v1/tokens", write, (*Server).createToken},
	{"DELETE", "/v1/tokens/{name}", write, (*Server).revokeToken},

	{"GET", "/v1/tenants/{slug}/domains", read, (*Server).listTenantDomains},
}

// scope says which tenant a route is about, for identities limited to one
// tenant (RoleTenant).
type scope int

const (
	// scopeNone: not about one tenant; a tenant-scoped identity is refused.
	// Every route missing from tenantScopes has it.
	scopeNone scope = iota
	// scopeSlug: about the tenant named by the {slug} path value.
	scopeSlug
	// scopeDomain: about the tenant that owns the domain {name}.
	scopeDomain
	// scopeQuery: about the tenant named by the ?tenant= query parameter,
	// which a tenant-scoped identity must give (the route would otherwise
	// answer about every tenant).
	scopeQuery
)

// tenantScopes lists, by "METHOD pattern" of routes, the only routes a
// tenant-scoped token may call, each with how its tenant is found. It is a
// table beside the route tables (rather than a field of route) so that a
// new route is refused to tenant tokens until it is listed here on
// purpose. Within its tenant a tenant token may read and write what is
// listed; backends are read-only to it on purpose (a backend URL decides
// where the appliance sends traffic, an operator's decision).
var tenantScopes = map[string]scope{
	"GET /v1/tenants/{slug}":          scopeSlug,
	"GET /v1/tenants/{slug}/backends": scopeSlug,
	"GET /v1/tenants/{slug}/domains":  scopeSlug,
	"POST /v1/tenants/{slug}/domains": scopeSlug,
	"GET /v1/domains/{name}":          scopeDomain,
	"DELETE /v1/domains/{name}":       scopeDomain,
	"POST /v1/domains/{name}/check":   scopeDomain,
	"GET /v1/logs":                    scopeQuery,
	"GET /v1/logs/follow":             scopeQuery,
	"GET /v1/usage":                   scopeQuery,
}

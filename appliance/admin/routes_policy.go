package admin

// policyRoutes are the endpoints for policies, plans and API keys.
var policyRoutes = []route{
	{"GET", "/v1/tenants/{slug}/policy", read, (*Server).getPolicy},
	{"PUT", "/v1/tenants/{slug}/policy", write, (*Server).putPolicy},

	{"GET", "/v1/plans", read, (*Server).listPlans},
	{"POST", "/v1/plans", write, (*Server).createPlan},
	{"PUT", "/v1/plans/{name}", write, (*Server).setPlan},
	{"DELETE", "/v1/plans/{name}", write, (*Server).deletePlan},

	{"GET", "/v1/tenants/{slug}/apikeys", read, (*Server).listAPIKeys},
	{"POST", "/v1/tenants/{slug}/apikeys", write, (*Server).createAPIKey},
	{"DELETE", "/v1/tenants/{slug}/apikeys/{name}", write, (*Server).revokeAPIKey},

	{"PUT", "/v1/tenants/{slug}/aliases/{alias}", write, (*Server).addAlias},
	{"DELETE", "/v1/tenants/{slug}/aliases/{alias}", write, (*Server).removeAlias},
	{"PUT", "/v1/tenants/{slug}/jwt-key", write, (*Server).setJWTKey},
	{"DELETE", "/v1/tenants/{slug}/jwt-key", write, (*Server).removeJWTKey},

	{"POST", "/v1/trace", read, (*Server).trace}, // only reads: a dry run
}

package admin

// poolRoutes are the endpoints for pools, balancing, health and drain.
var poolRoutes = []route{
	{"GET", "/v1/tenants/{slug}/pools", read, (*Server).listPools},
	{"GET", "/v1/tenants/{slug}/breaker", read, (*Server).getBreaker},
	{"PUT", "/v1/tenants/{slug}/pools/{pool}", write, (*Server).setPool},
	{"POST", "/v1/tenants/{slug}/pools/{pool}/backends/drain", write, (*Server).drainBackend},
	{"POST", "/v1/tenants/{slug}/pools/{pool}/backends/undrain", write, (*Server).undrainBackend},
}

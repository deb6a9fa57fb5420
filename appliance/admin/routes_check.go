package admin

// checkRoutes are the endpoints of `foyer doctor`. GET /v1/check reads the
// whole store, so it is admin only (write access), although it changes
// nothing.
var checkRoutes = []route{
	{"GET", "/v1/check", write, (*Server).checkStore},
}

package admin

// caRoutes are the endpoints for foyer's internal CA.
var caRoutes = []route{
	{"GET", "/v1/ca/root", read, (*Server).getCARoot},
}

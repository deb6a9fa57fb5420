package admin

// poolRoutes are the endpoints for pools, balancing, health and drain.
var poolRoutes = []route{}

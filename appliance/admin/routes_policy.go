package admin

// policyRoutes are the endpoints for policies, plans and API keys.
var policyRoutes = []route{}

package api

import "context"

// AllBackends lists every tenant's backends with their runtime health in
// one call (GET /v1/backends), ordered by tenant. An admin or read-only
// identity may call it; a tenant-scoped token may not.
func (c *Client) AllBackends(ctx context.Context) (out []Backend, err error) {
	return out, c.do(ctx, "GET", "/v1/backends", nil, &out)
}

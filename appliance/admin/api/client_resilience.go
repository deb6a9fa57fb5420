package api

import "context"

// Breaker reports the state of a tenant's circuit breaker.
func (c *Client) Breaker(ctx context.Context, slug string) (out Breaker, err error) {
	return out, c.do(ctx, "GET", "/v1/tenants/"+esc(slug)+"/breaker", nil, &out)
}

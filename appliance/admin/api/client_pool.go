package api

import (
	"context"
	"net/url"
)

// Pools lists a tenant's pools with their settings.
func (c *Client) Pools(ctx context.Context, slug string) (out []Pool, err error) {
	return out, c.do(ctx, "GET", "/v1/tenants/"+esc(slug)+"/pools", nil, &out)
}

// SetPool changes a pool's settings (creating the pool if it is new) and
// returns it as stored.
func (c *Client) SetPool(ctx context.Context, slug, pool string, r SetPoolRequest) (out Pool, err error) {
	return out, c.do(ctx, "PUT", "/v1/tenants/"+esc(slug)+"/pools/"+esc(poolName(pool)), r, &out)
}

// DrainBackend stops new requests to a backend (drain true) or lets them
// go to it again (false); requests in flight finish either way.
func (c *Client) DrainBackend(ctx context.Context, slug, pool, backendURL string, drain bool) (out Backend, err error) {
	verb := "drain"
	if !drain {
		verb = "undrain"
	}
	return out, c.do(ctx, "POST", "/v1/tenants/"+esc(slug)+"/pools/"+esc(poolName(pool))+"/backends/"+verb+"?url="+url.QueryEscape(backendURL), nil, &out)
}

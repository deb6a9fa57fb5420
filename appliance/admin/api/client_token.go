package api

import "context"

// Tokens lists the HTTPS API's bearer tokens (without their text).
func (c *Client) Tokens(ctx context.Context) (out []APIToken, err error) {
	return out, c.do(ctx, "GET", "/v1/tokens", nil, &out)
}

// CreateToken makes a new token; the answer holds its text, shown only now.
func (c *Client) CreateToken(ctx context.Context, r CreateTokenRequest) (out CreatedAPIToken, err error) {
	return out, c.do(ctx, "POST", "/v1/tokens", r, &out)
}

// RevokeToken deletes a token by name; requests with it get 401 at once.
func (c *Client) RevokeToken(ctx context.Context, name string) error {
	return c.do(ctx, "DELETE", "/v1/tokens/"+esc(name), nil, nil)
}

// TenantDomains lists one tenant's domains (GET /v1/tenants/{slug}/domains,
// the list a tenant-scoped token may call).
func (c *Client) TenantDomains(ctx context.Context, slug string) (out []Domain, err error) {
	return out, c.do(ctx, "GET", "/v1/tenants/"+esc(slug)+"/domains", nil, &out)
}

package api

import "context"

// AddAlias routes <alias>.<base_domain> to the tenant.
func (c *Client) AddAlias(ctx context.Context, slug, alias string) error {
	return c.do(ctx, "PUT", "/v1/tenants/"+esc(slug)+"/aliases/"+esc(alias), nil, nil)
}

// RemoveAlias stops routing the alias to the tenant.
func (c *Client) RemoveAlias(ctx context.Context, slug, alias string) error {
	return c.do(ctx, "DELETE", "/v1/tenants/"+esc(slug)+"/aliases/"+esc(alias), nil, nil)
}

// SetJWTKey stores the tenant's JWT key material (replacing any).
func (c *Client) SetJWTKey(ctx context.Context, slug string, r SetJWTKeyRequest) error {
	return c.do(ctx, "PUT", "/v1/tenants/"+esc(slug)+"/jwt-key", r, nil)
}

// RemoveJWTKey deletes the tenant's JWT key material.
func (c *Client) RemoveJWTKey(ctx context.Context, slug string) error {
	return c.do(ctx, "DELETE", "/v1/tenants/"+esc(slug)+"/jwt-key", nil, nil)
}

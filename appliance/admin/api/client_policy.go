package api

import "context"

// Policy returns a tenant's plan, overrides and effective policy.
func (c *Client) Policy(ctx context.Context, slug string) (out TenantPolicy, err error) {
	return out, c.do(ctx, "GET", "/v1/tenants/"+esc(slug)+"/policy", nil, &out)
}

// SetPolicy changes a tenant's overrides and plan and returns the result.
func (c *Client) SetPolicy(ctx context.Context, slug string, r SetPolicyRequest) (out TenantPolicy, err error) {
	return out, c.do(ctx, "PUT", "/v1/tenants/"+esc(slug)+"/policy", r, &out)
}

// Plans lists every plan with the tenants on it.
func (c *Client) Plans(ctx context.Context) (out []Plan, err error) {
	return out, c.do(ctx, "GET", "/v1/plans", nil, &out)
}

// CreatePlan adds a plan.
func (c *Client) CreatePlan(ctx context.Context, r CreatePlanRequest) (out Plan, err error) {
	return out, c.do(ctx, "POST", "/v1/plans", r, &out)
}

// SetPlan changes a plan's keys (every tenant on it follows); r.Plan is ignored.
func (c *Client) SetPlan(ctx context.Context, name string, r SetPolicyRequest) (out Plan, err error) {
	return out, c.do(ctx, "PUT", "/v1/plans/"+esc(name), r, &out)
}

// DeletePlan removes a plan no tenant uses.
func (c *Client) DeletePlan(ctx context.Context, name string) error {
	return c.do(ctx, "DELETE", "/v1/plans/"+esc(name), nil, nil)
}

// APIKeys lists a tenant's API keys (without tokens).
func (c *Client) APIKeys(ctx context.Context, slug string) (out []APIKey, err error) {
	return out, c.do(ctx, "GET", "/v1/tenants/"+esc(slug)+"/apikeys", nil, &out)
}

// CreateAPIKey makes a new key; the answer holds its token, shown only now.
func (c *Client) CreateAPIKey(ctx context.Context, slug string, r CreateAPIKeyRequest) (out CreatedAPIKey, err error) {
	return out, c.do(ctx, "POST", "/v1/tenants/"+esc(slug)+"/apikeys", r, &out)
}

// RevokeAPIKey deletes a tenant's key by name.
func (c *Client) RevokeAPIKey(ctx context.Context, slug, name string) error {
	return c.do(ctx, "DELETE", "/v1/tenants/"+esc(slug)+"/apikeys/"+esc(name), nil, nil)
}

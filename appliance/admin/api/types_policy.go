package api

import "time"

// PolicyValue is one policy key as GET /v1/tenants/{slug}/policy shows it:
// the effective value and where it came from.
type PolicyValue struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source string `json:"source"` // "default", "plan" or "tenant"
	Doc    string `json:"doc"`
}

// TenantPolicy is GET /v1/tenants/{slug}/policy.
type TenantPolicy struct {
	Tenant    string            `json:"tenant"`
	Plan      string            `json:"plan,omitempty"`
	Overrides map[string]string `json:"overrides"`
	Effective []PolicyValue     `json:"effective"` // every key, sorted
}

// SetPolicyRequest is PUT /v1/tenants/{slug}/policy and PUT
// /v1/plans/{name}: keys to set, keys to remove (back to the plan or the
// default), and for a tenant optionally its plan ("" for none).
type SetPolicyRequest struct {
	Set   map[string]string `json:"set,omitempty"`
	Unset []string          `json:"unset,omitempty"`
	Plan  *string           `json:"plan,omitempty"`
}

// Plan is a named policy template.
type Plan struct {
	Name    string            `json:"name"`
	Policy  map[string]string `json:"policy"`
	Tenants []string          `json:"tenants"` // slugs of the tenants on it
	Created time.Time         `json:"created"`
	Updated time.Time         `json:"updated"`
}

// CreatePlanRequest is POST /v1/plans.
type CreatePlanRequest struct {
	Name   string            `json:"name"`
	Policy map[string]string `json:"policy"`
}

// APIKey is an API key as the API shows it: never its token or hash.
type APIKey struct {
	ID       string    `json:"id"`
	Tenant   string    `json:"tenant"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires,omitzero"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// CreateAPIKeyRequest is POST /v1/tenants/{slug}/apikeys.
type CreateAPIKeyRequest struct {
	Name    string `json:"name"`
	Expires string `json:"expires,omitempty"` // a Go duration from now, e.g. "720h"; "" never
}

// CreatedAPIKey is the answer to CreateAPIKeyRequest: the only time the
// token is shown.
type CreatedAPIKey struct {
	APIKey
	Token string `json:"token"`
}

package store

import "time"

// PolicyTx is the part of Tx for tenants' policies, plans and API keys
// (the traffic issue). Every write here except TouchAPIKeys is a
// configuration change: audited, and it bumps the revision.
type PolicyTx interface {
	// Plan returns the plan with that name, or an error wrapping ErrNotFound.
	Plan(name string) (Plan, error)
	// Plans returns every plan, sorted by name.
	Plans() ([]Plan, error)
	// PutPlan creates the plan or replaces its policy, validated; Created
	// and Updated are filled in.
	PutPlan(p *Plan) error
	// RemovePlan deletes a plan; ErrConflict while a tenant uses it.
	RemovePlan(name string) error
	// SetTenantPolicy merges set into the tenant's overrides: a key with
	// the value "" is removed (it falls back to the plan or default).
	SetTenantPolicy(slug string, set Policy) error
	// SetTenantPlan puts the tenant on a plan ("" for none); the plan
	// must exist.
	SetTenantPlan(slug, plan string) error

	// APIKeys returns a tenant's API keys sorted by ID, or every key when
	// tenant is "".
	APIKeys(tenant string) ([]APIKey, error)
	// CreateAPIKey stores k; the caller generated ID and Hash with
	// NewAPIKeyToken (outside the transaction, which may run twice).
	// Created is filled in; ErrExists if the tenant has a key of that name.
	CreateAPIKey(k *APIKey) error
	// RevokeAPIKey deletes the tenant's key with that name.
	RevokeAPIKey(tenant, name string) error
	// TouchAPIKeys records when keys were last used, by "tenant/id". It is
	// not a configuration change: no revision, no audit entry. Keys that
	// no longer exist are skipped; a time never moves LastUsed back.
	TouchAPIKeys(used map[string]time.Time) error
}

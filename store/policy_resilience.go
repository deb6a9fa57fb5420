package store

// ResiliencePolicy is the part of a tenant's effective policy for retries,
// the circuit breaker, per-tenant timeouts and the request body limit.
type ResiliencePolicy struct{}

// resilienceKeys are the policy keys of ResiliencePolicy.
func resilienceKeys() []PolicyKey { return nil }

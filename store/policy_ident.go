package store

// IdentPolicy is the part of a tenant's effective policy that says how
// requests are identified beyond the Host header.
type IdentPolicy struct{}

// identKeys are the policy keys of IdentPolicy.
func identKeys() []PolicyKey { return nil }

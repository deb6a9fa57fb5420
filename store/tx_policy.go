package store

// PolicyTx is the part of Tx for tenants' policies, plans and API keys
// (the traffic issue).
type PolicyTx interface{}

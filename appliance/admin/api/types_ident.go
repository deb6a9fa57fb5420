package api

// SetJWTKeyRequest is PUT /v1/tenants/{slug}/jwt-key: key material the CLI
// read from the operator's file. Kind is "hs256-secret", "pem" or "jwks".
// The API never returns Data.
type SetJWTKeyRequest struct {
	Kind string `json:"kind"`
	Data []byte `json:"data"`
}

package api

import "time"

// APIToken is a bearer token of the HTTPS API as the API shows it: never
// its text or hash.
type APIToken struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Role     string    `json:"role"` // "admin" or "tenant:SLUG"
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// CreateTokenRequest is POST /v1/tokens.
type CreateTokenRequest struct {
	Name string `json:"name"`
	Role string `json:"role"` // "admin" or "tenant:SLUG"
}

// CreatedAPIToken is the answer to CreateTokenRequest: the only time the
// token text ("fyt_<id>_<secret>") is shown.
type CreatedAPIToken struct {
	APIToken
	Token string `json:"token"`
}

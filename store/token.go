package store

import (
	"strings"
	"time"
)

// Token is a bearer token of the HTTPS API listener (Settings.APIListen).
// The store keeps only the hash of the token text; the text itself is
// shown once, when the token is created.
type Token struct {
	ID   string `json:"id"`   // 8 lower-case base32 characters; public, in the token text
	Name string `json:"name"` // unique; 1 to 63 lower-case letters, digits and inner hyphens
	// Role is what the token may do: RoleAdmin (everything the admin
	// socket may), or TenantRole(slug) (only routes about that tenant).
	Role    string    `json:"role"`
	Hash    string    `json:"hash"` // hex SHA-256 of the whole token text (which holds the secret)
	Created time.Time `json:"created"`
	// LastUsed is written by the admin API about once a minute per token,
	// without a revision or an audit entry. Zero: never used.
	LastUsed time.Time `json:"last_used,omitzero"`
}

// TokenPrefix starts every API token foyer generates: "fyt_<id>_<secret>".
const TokenPrefix = "fyt_"

// Token roles. A tenant role is "tenant:" followed by the tenant's slug.
const (
	TokenRoleAdmin  = "admin"
	tokenRoleTenant = "tenant:"
)

// TenantRole returns the role of a token scoped to the tenant slug.
func TenantRole(slug string) string { return tokenRoleTenant + slug }

// Tenant returns the slug of a tenant-scoped token, or "" for an admin token.
func (t Token) Tenant() string { return strings.TrimPrefix(t.Role, tokenRoleTenant) }

// IsAdmin reports whether the token has the admin role.
func (t Token) IsAdmin() bool { return t.Role == TokenRoleAdmin }

// NewToken generates a token text "fyt_<id>_<secret>" from crypto/rand
// and returns it with its ID and hex SHA-256 hash. It is NewAPIKeyToken's
// generator with its own prefix, so the two kinds of token cannot be
// mistaken for each other.
func NewToken() (text, id, hash string, err error) {
	key, id, _, err := NewAPIKeyToken()
	if err != nil {
		return "", "", "", err
	}
	text = TokenPrefix + strings.TrimPrefix(key, APIKeyPrefix)
	return text, id, HashAPIKey(text), nil
}

// TokenID returns the public ID inside a token text of foyer's form; ok
// is false for anything else.
func TokenID(text string) (id string, ok bool) {
	rest, found := strings.CutPrefix(text, TokenPrefix)
	if !found {
		return "", false
	}
	return APIKeyID(APIKeyPrefix + rest)
}

// validateTokenRole checks a role's form; the tenant's existence is
// checked by the transaction.
func validateTokenRole(role string) error {
	if role == TokenRoleAdmin {
		return nil
	}
	slug, ok := strings.CutPrefix(role, tokenRoleTenant)
	if !ok || !ValidSlug(slug, 63) {
		return invalid("token.role", "give admin, or tenant:SLUG for a token limited to one tenant",
			"%q is not a token role", truncate(role))
	}
	return nil
}

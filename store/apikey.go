package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Plan is a named policy template (e.g. free, pro) that tenants reference.
// Changing a plan changes every tenant on it.
type Plan struct {
	Name    string    `json:"name"` // 1 to 32 lower-case letters, digits and inner hyphens
	Policy  Policy    `json:"policy"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// APIKey is one of a tenant's API keys. The store keeps only the hash of
// the token; the token itself is shown once, when the key is created.
type APIKey struct {
	ID      string    `json:"id"` // 8 lower-case base32 characters; public, in the token
	Tenant  string    `json:"tenant"`
	Name    string    `json:"name"` // unique per tenant
	Hash    string    `json:"hash"` // hex SHA-256 of the whole token
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires,omitzero"` // zero: never
	// LastUsed is flushed from the appliance about once a minute, without
	// a revision or an audit entry.
	LastUsed time.Time `json:"last_used,omitzero"`
}

// APIKeyPrefix starts every token foyer generates.
const APIKeyPrefix = "fy_"

// apiKeyIDLen is the length of a key's public ID; apiKeySecretBytes the
// random bytes of its secret (192 bits).
const (
	apiKeyIDLen       = 8
	apiKeySecretBytes = 24
)

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewAPIKeyToken generates a token "fy_<id>_<secret>" from crypto/rand and
// returns it with its ID and hex SHA-256 hash.
func NewAPIKeyToken() (token, id, hash string, err error) {
	var idb [5]byte // 40 bits: 8 base32 characters
	var sec [apiKeySecretBytes]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return "", "", "", fmt.Errorf("generate api key: %w", err)
	}
	if _, err := rand.Read(sec[:]); err != nil {
		return "", "", "", fmt.Errorf("generate api key: %w", err)
	}
	id = b32.EncodeToString(idb[:])
	token = APIKeyPrefix + id + "_" + b32.EncodeToString(sec[:])
	return token, id, HashAPIKey(token), nil
}

// HashAPIKey returns the hex SHA-256 of a token, as APIKey.Hash stores it.
func HashAPIKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// APIKeyID returns the public ID inside a token of foyer's form, without
// allocating; ok is false for anything else.
func APIKeyID(token string) (id string, ok bool) {
	if len(token) < len(APIKeyPrefix)+apiKeyIDLen+2 || !strings.HasPrefix(token, APIKeyPrefix) {
		return "", false
	}
	id = token[len(APIKeyPrefix) : len(APIKeyPrefix)+apiKeyIDLen]
	if token[len(APIKeyPrefix)+apiKeyIDLen] != '_' || !validKeyID(id) {
		return "", false
	}
	return id, true
}

func validKeyID(id string) bool {
	if len(id) != apiKeyIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil && strings.ToLower(h) == h
}

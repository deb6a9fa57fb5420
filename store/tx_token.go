package store

import "time"

// TokenTx is the part of Tx for the HTTPS API's bearer tokens. Creating
// and revoking a token is audited (naming the token, never its secret)
// and is a configuration change; TouchToken is neither.
type TokenTx interface {
	// Tokens returns every token, sorted by name.
	Tokens() ([]Token, error)
	// Token returns the token with that name, or an error wrapping ErrNotFound.
	Token(name string) (Token, error)
	// TokenByID returns the token with that public ID, or an error
	// wrapping ErrNotFound.
	TokenByID(id string) (Token, error)
	// CreateToken stores k; the caller generated ID and Hash with NewToken
	// (outside the transaction, which may run twice). Created is filled
	// in. ErrExists if the name is taken; ErrNotFound if the role names a
	// tenant that does not exist.
	CreateToken(k *Token) error
	// RevokeToken deletes the token with that name; requests with it are
	// refused from then on.
	RevokeToken(name string) error
	// TouchToken records that the token with that ID was used at the
	// given time. It writes neither an audit entry nor a revision, never
	// moves LastUsed back, and ignores a token revoked meanwhile.
	TouchToken(id string, at time.Time) error
}

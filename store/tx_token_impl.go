package store

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

func (t *tx) Tokens() ([]Token, error) {
	ks, err := list[Token](t.kv, BucketTokens, "")
	slices.SortFunc(ks, func(a, b Token) int { return cmp.Compare(a.Name, b.Name) })
	return ks, err
}

func (t *tx) Token(name string) (Token, error) {
	ks, err := t.Tokens()
	if err != nil {
		return Token{}, err
	}
	for _, k := range ks {
		if k.Name == name {
			return k, nil
		}
	}
	return Token{}, notFound("token", name, "list them with `foyer token list`")
}

func (t *tx) TokenByID(id string) (Token, error) {
	var k Token
	ok, err := getJSON(t.kv, BucketTokens, id, &k)
	if err == nil && !ok {
		err = notFound("token id", id, "create a token with `foyer token create`")
	}
	return k, err
}

func (t *tx) CreateToken(k *Token) error {
	if !ValidSlug(k.Name, 63) {
		return invalid("token.name", "use 1 to 63 lower-case letters, digits and inner hyphens", "%q is not a valid token name", truncate(k.Name))
	}
	if err := validateTokenRole(k.Role); err != nil {
		return err
	}
	if !k.IsAdmin() {
		if _, err := t.Tenant(k.Tenant()); err != nil {
			return err
		}
	}
	if !validKeyID(k.ID) || !validHash(k.Hash) {
		return invalid("token", "generate tokens with store.NewToken", "malformed token ID or hash")
	}
	ks, err := t.Tokens()
	if err != nil {
		return err
	}
	for _, e := range ks {
		if e.Name == k.Name {
			return Errf(ErrExists, "token.name", "revoke it first, or pick another name", "a token named %s already exists", k.Name)
		}
		if e.ID == k.ID {
			return Errf(ErrExists, "token.id", "try again", "token ID %s is taken", k.ID)
		}
	}
	k.Created, k.LastUsed = t.now, time.Time{}
	if err := t.change("token.create %s role %s (id %s)", k.Name, k.Role, k.ID); err != nil {
		return err
	}
	return putJSON(t.kv, BucketTokens, k.ID, k)
}

func (t *tx) RevokeToken(name string) error {
	k, err := t.Token(name)
	if err != nil {
		return err
	}
	if err := t.change("token.revoke %s (id %s)", k.Name, k.ID); err != nil {
		return err
	}
	return t.kv.Delete(BucketTokens, k.ID)
}

// TouchToken writes without t.change: Update then commits the record with
// neither an audit entry nor a new revision.
func (t *tx) TouchToken(id string, at time.Time) error {
	if !t.write {
		return errReadOnly
	}
	var k Token
	ok, err := getJSON(t.kv, BucketTokens, id, &k)
	if err != nil || !ok || !at.After(k.LastUsed) {
		return err
	}
	k.LastUsed = at.UTC()
	return putJSON(t.kv, BucketTokens, id, k)
}

// deleteTenantTokens removes the tokens scoped to a tenant (DeleteTenant
// calls it); each is audited like a revoke.
func (t *tx) deleteTenantTokens(slug string) error {
	ks, err := t.Tokens()
	if err != nil {
		return err
	}
	for _, k := range ks {
		if k.IsAdmin() || k.Tenant() != slug {
			continue
		}
		if err := t.change("token.revoke %s (id %s, tenant deleted)", k.Name, k.ID); err != nil {
			return err
		}
		if err := t.kv.Delete(BucketTokens, k.ID); err != nil {
			return fmt.Errorf("delete token %s: %w", k.Name, err)
		}
	}
	return nil
}

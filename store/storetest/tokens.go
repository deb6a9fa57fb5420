package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

// testTokens runs the HTTPS API token cases.
func testTokens(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Create", func(t *testing.T) { testTokenCreate(t, open(t)) })
	t.Run("Refused", func(t *testing.T) { testTokenRefused(t, open(t)) })
	t.Run("Revoke", func(t *testing.T) { testTokenRevoke(t, open(t)) })
	t.Run("Touch", func(t *testing.T) { testTokenTouch(t, open(t)) })
}

// newToken generates a token and returns its text and record.
func newToken(t testing.TB, name, role string) (string, store.Token) {
	t.Helper()
	text, id, hash, err := store.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	return text, store.Token{ID: id, Name: name, Role: role, Hash: hash}
}

func testTokenCreate(t *testing.T, s store.Store) {
	// Ensure that a token is stored by ID with the hash of its text (never
	// the secret), found by name and by ID, listed by name, and audited by
	// name without the secret.
	ctx := context.Background()
	createTenants(t, s, "acme")
	text, k := newToken(t, "saas", store.TenantRole("acme"))
	if got, ok := store.TokenID(text); !ok || got != k.ID || !strings.HasPrefix(text, "fyt_"+k.ID+"_") || len(text) < 40 {
		t.Fatalf("token %q id %q: TokenID = %q, %v", text, k.ID, got, ok)
	}
	if _, ok := store.APIKeyID(text); ok {
		t.Fatalf("APIKeyID accepts the API token %q", text)
	}
	if k.Hash != store.HashAPIKey(text) {
		t.Fatalf("hash %s is not the SHA-256 of the token text", k.Hash)
	}
	update(t, s, func(tx store.Tx) error { return tx.CreateToken(&k) })
	_, adm := newToken(t, "ops", store.TokenRoleAdmin)
	update(t, s, func(tx store.Tx) error { return tx.CreateToken(&adm) })
	secret := text[len("fyt_"+k.ID+"_"):]
	for _, l := range Dump(t, s) {
		if strings.Contains(l, secret) {
			t.Fatalf("the secret is stored: %s", l)
		}
	}
	var all []store.Token
	var byName, byID store.Token
	err := s.View(ctx, func(tx store.Tx) (err error) {
		if all, err = tx.Tokens(); err != nil {
			return err
		}
		if byName, err = tx.Token("saas"); err != nil {
			return err
		}
		byID, err = tx.TokenByID(k.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Name != "ops" || all[1].Name != "saas" {
		t.Fatalf("tokens = %+v, want ops then saas", all)
	}
	if byName.ID != k.ID || byID.Name != "saas" || byID.Hash != k.Hash || byID.Tenant() != "acme" || byID.IsAdmin() || byID.Created.IsZero() {
		t.Fatalf("by name %+v, by id %+v", byName, byID)
	}
	if !all[0].IsAdmin() {
		t.Fatalf("ops token %+v is not admin", all[0])
	}
	log, _ := s.AuditLog(ctx, 1, 0)
	if len(log) != 1 || log[0].Actions[0] != "token.create ops role admin (id "+adm.ID+")" {
		t.Fatalf("last audit = %+v", log)
	}
}

func testTokenRefused(t *testing.T, s store.Store) {
	// Ensure that a bad name, a bad role, a missing tenant, a taken name
	// and a malformed hash are refused and change nothing.
	ctx := context.Background()
	createTenants(t, s, "acme")
	_, k := newToken(t, "saas", store.TokenRoleAdmin)
	update(t, s, func(tx store.Tx) error { return tx.CreateToken(&k) })
	before := Fingerprint(t, s)
	rev := s.Revision()
	cases := []struct {
		name, role string
		hash       string
		kind       error
	}{
		{"Bad_Name", "admin", "", store.ErrInvalid},
		{"x", "root", "", store.ErrInvalid},
		{"x", "tenant:", "", store.ErrInvalid},
		{"x", "tenant:Nope!", "", store.ErrInvalid},
		{"x", "tenant:ghost", "", store.ErrNotFound},
		{"saas", "admin", "", store.ErrExists},
		{"x", "admin", "not-a-hash", store.ErrInvalid},
	}
	for _, c := range cases {
		_, k := newToken(t, c.name, c.role)
		if c.hash != "" {
			k.Hash = c.hash
		}
		err := s.Update(ctx, actor, func(tx store.Tx) error { return tx.CreateToken(&k) })
		wantKind(t, err, c.kind)
	}
	if Fingerprint(t, s) != before || s.Revision() != rev {
		t.Fatal("a refused token changed the store")
	}
	err := s.View(ctx, func(tx store.Tx) error { _, err := tx.Token("nope"); return err })
	wantKind(t, err, store.ErrNotFound)
	err = s.View(ctx, func(tx store.Tx) error { _, err := tx.TokenByID("aaaaaaaa"); return err })
	wantKind(t, err, store.ErrNotFound)
}

func testTokenRevoke(t *testing.T, s store.Store) {
	// Ensure that revoke deletes a token (audited by name), a second revoke
	// is ErrNotFound, and deleting a tenant deletes its tokens but not
	// others'.
	ctx := context.Background()
	createTenants(t, s, "acme", "beta")
	for _, c := range []struct{ name, role string }{{"a1", "tenant:acme"}, {"a2", "tenant:acme"}, {"b1", "tenant:beta"}, {"ops", "admin"}} {
		_, k := newToken(t, c.name, c.role)
		update(t, s, func(tx store.Tx) error { return tx.CreateToken(&k) })
	}
	update(t, s, func(tx store.Tx) error { return tx.RevokeToken("a2") })
	log, _ := s.AuditLog(ctx, 1, 0)
	if len(log) != 1 || !strings.HasPrefix(log[0].Actions[0], "token.revoke a2 (id ") {
		t.Fatalf("last audit = %+v", log)
	}
	err := s.Update(ctx, actor, func(tx store.Tx) error { return tx.RevokeToken("a2") })
	wantKind(t, err, store.ErrNotFound)
	update(t, s, func(tx store.Tx) error { return tx.DeleteTenant("acme", true) })
	var names []string
	_ = s.View(ctx, func(tx store.Tx) error {
		ks, err := tx.Tokens()
		for _, k := range ks {
			names = append(names, k.Name)
		}
		return err
	})
	if strings.Join(names, ",") != "b1,ops" {
		t.Fatalf("tokens after deleting acme = %v, want b1,ops", names)
	}
	log, _ = s.AuditLog(ctx, 1, 0)
	if len(log) != 1 || log[0].Actions[0] != "tenant.delete acme" || !strings.Contains(strings.Join(log[0].Actions, "\n"), "token.revoke a1") {
		t.Fatalf("audit of the tenant delete = %+v", log)
	}
}

func testTokenTouch(t *testing.T, s store.Store) {
	// Ensure that TouchToken sets LastUsed without a revision or an audit
	// entry, never moves it back, ignores an unknown ID and needs a write
	// transaction.
	ctx := context.Background()
	_, k := newToken(t, "ops", store.TokenRoleAdmin)
	update(t, s, func(tx store.Tx) error { return tx.CreateToken(&k) })
	rev := s.Revision()
	log, _ := s.AuditLog(ctx, 100, 0)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	update(t, s, func(tx store.Tx) error { return tx.TouchToken(k.ID, at) })
	update(t, s, func(tx store.Tx) error { return tx.TouchToken(k.ID, at.Add(-time.Hour)) })
	update(t, s, func(tx store.Tx) error { return tx.TouchToken("gone2345", at) })
	if s.Revision() != rev {
		t.Fatalf("revision %d -> %d after a touch", rev, s.Revision())
	}
	if log2, _ := s.AuditLog(ctx, 100, 0); len(log2) != len(log) {
		t.Fatalf("audit grew from %d to %d entries", len(log), len(log2))
	}
	var got store.Token
	_ = s.View(ctx, func(tx store.Tx) (err error) { got, err = tx.TokenByID(k.ID); return err })
	if !got.LastUsed.Equal(at) {
		t.Fatalf("LastUsed = %s, want %s", got.LastUsed, at)
	}
	if err := s.View(ctx, func(tx store.Tx) error { return tx.TouchToken(k.ID, at) }); err == nil {
		t.Fatal("TouchToken in a read-only transaction did not fail")
	}
}

package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/store"
)

// testPolicy runs the policy, plan and API key cases.
func testPolicy(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Plans", func(t *testing.T) { testPlans(t, open(t)) })
	t.Run("TenantPolicy", func(t *testing.T) { testTenantPolicy(t, open(t)) })
	t.Run("PolicyRefused", func(t *testing.T) { testPolicyRefused(t, open(t)) })
	t.Run("APIKeys", func(t *testing.T) { testAPIKeys(t, open(t)) })
	t.Run("TouchAPIKeys", func(t *testing.T) { testTouchAPIKeys(t, open(t)) })
}

func testPlans(t *testing.T, s store.Store) {
	// Ensure that a plan is created, changed and listed, audited each time,
	// and that removing it is refused while a tenant uses it.
	ctx := context.Background()
	createTenants(t, s, "acme", "beta")
	update(t, s, func(tx store.Tx) error {
		return tx.PutPlan(&store.Plan{Name: "free", Policy: store.Policy{"rate": "10"}})
	})
	update(t, s, func(tx store.Tx) error {
		return tx.PutPlan(&store.Plan{Name: "free", Policy: store.Policy{"rate": "5", "burst": "20"}})
	})
	update(t, s, func(tx store.Tx) error { return tx.SetTenantPlan("acme", "free") })
	update(t, s, func(tx store.Tx) error { return tx.SetTenantPlan("beta", "free") })
	snap, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Plans) != 1 || snap.Plans[0].Policy["rate"] != "5" || snap.Plans[0].Created.IsZero() {
		t.Fatalf("snapshot plans = %+v", snap.Plans)
	}
	if snap.Tenants[0].Plan != "free" {
		t.Fatalf("acme's plan = %q", snap.Tenants[0].Plan)
	}
	log, _ := s.AuditLog(ctx, 10, 0)
	var acts []string
	for _, e := range log {
		acts = append(acts, e.Actions...)
	}
	all := strings.Join(acts, "\n")
	for _, w := range []string{"plan.create free", "plan.set free burst=\"20\" rate=\"5\"", "policy.plan acme \"free\""} {
		if !strings.Contains(all, w) {
			t.Errorf("audit lacks %q:\n%s", w, all)
		}
	}
	before := Fingerprint(t, s)
	err = s.Update(ctx, actor, func(tx store.Tx) error { return tx.RemovePlan("free") })
	wantKind(t, err, store.ErrConflict)
	var se *store.Error
	if errors.As(err, &se) && !strings.Contains(se.Msg, "acme, beta") {
		t.Errorf("refusal %q does not name the tenants", se.Msg)
	}
	if after := Fingerprint(t, s); after != before {
		t.Fatal("a refused plan removal changed the store")
	}
	update(t, s, func(tx store.Tx) error {
		return steps(func(tx store.Tx) error { return tx.SetTenantPlan("acme", "") },
			func(tx store.Tx) error { return tx.SetTenantPlan("beta", "") },
			func(tx store.Tx) error { return tx.RemovePlan("free") })(tx)
	})
	err = s.View(ctx, func(tx store.Tx) error { _, err := tx.Plan("free"); return err })
	wantKind(t, err, store.ErrNotFound)
}

func testTenantPolicy(t *testing.T, s store.Store) {
	// Ensure that SetTenantPolicy merges keys, removes a key given "", and
	// that the effective policy layers tenant over plan over defaults.
	ctx := context.Background()
	createTenants(t, s, "acme")
	update(t, s, func(tx store.Tx) error {
		return tx.PutPlan(&store.Plan{Name: "pro", Policy: store.Policy{"rate": "100", "max-in-flight": "50"}})
	})
	update(t, s, func(tx store.Tx) error { return tx.SetTenantPlan("acme", "pro") })
	update(t, s, func(tx store.Tx) error {
		return tx.SetTenantPolicy("acme", store.Policy{"rate": "7", "deny": "10.0.0.0/8"})
	})
	update(t, s, func(tx store.Tx) error {
		return tx.SetTenantPolicy("acme", store.Policy{"deny": "", "hsts": "false"})
	})
	var tn store.Tenant
	var plan store.Plan
	err := s.View(ctx, func(tx store.Tx) (err error) {
		if tn, err = tx.Tenant("acme"); err != nil {
			return err
		}
		plan, err = tx.Plan(tn.Plan)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tn.Policy) != 2 || tn.Policy["rate"] != "7" || tn.Policy["hsts"] != "false" {
		t.Fatalf("acme's overrides = %v", tn.Policy)
	}
	eff, err := store.ResolvePolicy(plan.Policy, tn.Policy)
	if err != nil {
		t.Fatal(err)
	}
	if eff.Rate != 7 || eff.Burst != 7 || eff.MaxInFlight != 50 || eff.HSTS || len(eff.Deny) != 0 || eff.APIKeys != store.APIKeysOff {
		t.Fatalf("effective = %+v", eff)
	}
	rev := s.Revision()
	update(t, s, func(tx store.Tx) error { return tx.SetTenantPolicy("acme", store.Policy{"rate": "7"}) })
	if s.Revision() != rev {
		t.Error("setting a policy key to its current value bumped the revision")
	}
}

func testPolicyRefused(t *testing.T, s store.Store) {
	// Ensure that every malformed policy write is refused with a field and
	// leaves the store byte for byte as it was.
	createTenants(t, s, "acme")
	update(t, s, func(tx store.Tx) error { return tx.PutPlan(&store.Plan{Name: "free"}) })
	set := func(k, v string) func(store.Tx) error {
		return func(tx store.Tx) error { return tx.SetTenantPolicy("acme", store.Policy{k: v}) }
	}
	cases := []refusal{
		{"unknown key", set("colour", "blue"), store.ErrInvalid},
		{"rate negative", set("rate", "-1"), store.ErrInvalid},
		{"rate NaN", set("rate", "NaN"), store.ErrInvalid},
		{"rate text", set("rate", "fast"), store.ErrInvalid},
		{"burst huge", set("burst", "99999999999"), store.ErrInvalid},
		{"allow not CIDR", set("allow", "10.0.0.0/33"), store.ErrInvalid},
		{"deny junk", set("deny", "10.0.0.1,nope"), store.ErrInvalid},
		{"api-keys mode", set("api-keys", "sometimes"), store.ErrInvalid},
		{"maintenance bool", set("maintenance", "perhaps"), store.ErrInvalid},
		{"maintenance-message newline", set("maintenance-message", "a\nb"), store.ErrInvalid},
		{"queue-timeout", set("queue-timeout", "2h"), store.ErrInvalid},
		{"header no colon", set("request-headers-set", "X-A"), store.ErrInvalid},
		{"header bad name", set("request-headers-set", "X A:1"), store.ErrInvalid},
		{"header CR in value", set("response-headers-set", "X-A:1\r\nX-B:2"), store.ErrInvalid},
		{"hop-by-hop header", set("request-headers-remove", "Connection"), store.ErrInvalid},
		{"foyer's header", set("request-headers-set", "X-Foyer-Tenant:evil"), store.ErrInvalid},
		{"request id header", set("response-headers-remove", "x-request-id"), store.ErrInvalid},
		{"huge value", set("allow", huge), store.ErrInvalid},
		{"unknown tenant", func(tx store.Tx) error { return tx.SetTenantPolicy("nope", store.Policy{"rate": "1"}) }, store.ErrNotFound},
		{"unknown plan", func(tx store.Tx) error { return tx.SetTenantPlan("acme", "gold") }, store.ErrInvalid},
		{"plan bad name", func(tx store.Tx) error { return tx.PutPlan(&store.Plan{Name: "Gold"}) }, store.ErrInvalid},
		{"plan bad value", func(tx store.Tx) error {
			return tx.PutPlan(&store.Plan{Name: "free", Policy: store.Policy{"rate": "x"}})
		}, store.ErrInvalid},
		{"remove unknown plan", func(tx store.Tx) error { return tx.RemovePlan("gold") }, store.ErrNotFound},
		{"valid then invalid", steps(set("rate", "5"), set("burst", "-2")), store.ErrInvalid},
		{"new tenant on a missing plan", func(tx store.Tx) error {
			return tx.CreateTenant(&store.Tenant{Slug: "beta", Plan: "gold"})
		}, store.ErrInvalid},
		{"new tenant with a bad override", func(tx store.Tx) error {
			return tx.CreateTenant(&store.Tenant{Slug: "beta", Policy: store.Policy{"rate": "x"}})
		}, store.ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := Fingerprint(t, s)
			wantKind(t, s.Update(context.Background(), actor, c.fn), c.kind)
			if after := Fingerprint(t, s); after != before {
				t.Fatalf("refused %s changed the store", c.name)
			}
		})
	}
}

func testAPIKeys(t *testing.T, s store.Store) {
	// Ensure that an API key stores the token's hash (never the token),
	// that names are unique per tenant, and that revoke and tenant delete
	// remove keys.
	ctx := context.Background()
	createTenants(t, s, "acme", "beta")
	tok, id, hash, err := store.NewAPIKeyToken()
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := store.APIKeyID(tok); !ok || got != id || !strings.HasPrefix(tok, "fy_"+id+"_") || len(tok) < 40 {
		t.Fatalf("token %q id %q: APIKeyID = %q, %v", tok, id, got, ok)
	}
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	update(t, s, func(tx store.Tx) error {
		return tx.CreateAPIKey(&store.APIKey{ID: id, Tenant: "acme", Name: "ci", Hash: hash, Expires: exp})
	})
	for _, l := range Dump(t, s) {
		if strings.Contains(l, tok[len("fy_"+id+"_"):]) {
			t.Fatalf("the secret is stored: %s", l)
		}
	}
	_, id2, hash2, _ := store.NewAPIKeyToken()
	before := Fingerprint(t, s)
	err = s.Update(ctx, actor, func(tx store.Tx) error {
		return tx.CreateAPIKey(&store.APIKey{ID: id2, Tenant: "acme", Name: "ci", Hash: hash2})
	})
	wantKind(t, err, store.ErrExists)
	err = s.Update(ctx, actor, func(tx store.Tx) error {
		return tx.CreateAPIKey(&store.APIKey{ID: "short", Tenant: "acme", Name: "x", Hash: hash2})
	})
	wantKind(t, err, store.ErrInvalid)
	err = s.Update(ctx, actor, func(tx store.Tx) error {
		return tx.CreateAPIKey(&store.APIKey{ID: id2, Tenant: "acme", Name: "old", Hash: hash2, Expires: time.Unix(1, 0)})
	})
	wantKind(t, err, store.ErrInvalid)
	if Fingerprint(t, s) != before {
		t.Fatal("a refused key changed the store")
	}
	update(t, s, func(tx store.Tx) error {
		return tx.CreateAPIKey(&store.APIKey{ID: id2, Tenant: "beta", Name: "ci", Hash: hash2})
	})
	snap, _ := s.Snapshot(ctx)
	if len(snap.APIKeys) != 2 || snap.APIKeys[0].Hash != hash || !snap.APIKeys[0].Expires.Equal(exp) {
		t.Fatalf("snapshot keys = %+v", snap.APIKeys)
	}
	update(t, s, func(tx store.Tx) error { return tx.RevokeAPIKey("acme", "ci") })
	err = s.Update(ctx, actor, func(tx store.Tx) error { return tx.RevokeAPIKey("acme", "ci") })
	wantKind(t, err, store.ErrNotFound)
	update(t, s, func(tx store.Tx) error { return tx.DeleteTenant("beta", false) })
	snap, _ = s.Snapshot(ctx)
	if len(snap.APIKeys) != 0 {
		t.Fatalf("keys after revoke and tenant delete = %+v", snap.APIKeys)
	}
	log, _ := s.AuditLog(ctx, 1, 0)
	if len(log) == 0 || log[0].Actions[0] != "tenant.delete beta" {
		t.Fatalf("last audit = %+v", log)
	}
}

func testTouchAPIKeys(t *testing.T, s store.Store) {
	// Ensure that a last-used flush changes the keys but writes neither a
	// revision nor an audit entry, skips revoked keys and never moves back.
	ctx := context.Background()
	createTenants(t, s, "acme")
	_, id, hash, _ := store.NewAPIKeyToken()
	update(t, s, func(tx store.Tx) error {
		return tx.CreateAPIKey(&store.APIKey{ID: id, Tenant: "acme", Name: "ci", Hash: hash})
	})
	rev := s.Revision()
	log, _ := s.AuditLog(ctx, 100, 0)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	sub := s.Subscribe()
	defer sub.Close()
	update(t, s, func(tx store.Tx) error {
		return tx.TouchAPIKeys(map[string]time.Time{"acme/" + id: at, "acme/gone0000": at})
	})
	update(t, s, func(tx store.Tx) error {
		return tx.TouchAPIKeys(map[string]time.Time{"acme/" + id: at.Add(-time.Hour)})
	})
	if s.Revision() != rev {
		t.Fatalf("revision %d -> %d after a last-used flush", rev, s.Revision())
	}
	log2, _ := s.AuditLog(ctx, 100, 0)
	if len(log2) != len(log) {
		t.Fatalf("audit grew from %d to %d entries", len(log), len(log2))
	}
	var keys []store.APIKey
	_ = s.View(ctx, func(tx store.Tx) (err error) { keys, err = tx.APIKeys("acme"); return err })
	if len(keys) != 1 || !keys[0].LastUsed.Equal(at) {
		t.Fatalf("keys = %+v; want LastUsed %s", keys, at)
	}
	err := s.View(ctx, func(tx store.Tx) error { return tx.TouchAPIKeys(map[string]time.Time{"acme/" + id: at}) })
	if err == nil {
		t.Fatal("TouchAPIKeys in a read-only transaction did not fail")
	}
}

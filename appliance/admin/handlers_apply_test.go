package admin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// publicKeyPEM returns a fresh P-256 public key as PEM.
func publicKeyPEM(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// richFixture fills h's store with several tenants (one suspended),
// plans, policies with identification options, aliases, pools with every
// kind of setting, weighted and drained backends, domains in several
// states, a JWT key, API keys and non-default settings.
func richFixture(t *testing.T, h *harness) {
	t.Helper()
	pub := publicKeyPEM(t)
	err := h.store.Update(t.Context(), "test", func(tx store.Tx) error {
		s, _ := tx.Settings()
		for k, v := range map[string]string{"base-domain": "saas.test", "idle-timeout": "3m", "trusted-proxies": "10.0.0.0/8",
			"acme-eab-mac-key": "c2VjcmV0", "log-retention-mb": "512"} {
			key, _ := store.LookupSetting(k)
			if err := key.Set(&s, v); err != nil {
				return err
			}
		}
		steps := []func() error{
			func() error { return tx.SetSettings(s) },
			func() error {
				return tx.PutPlan(&store.Plan{Name: "free", Policy: store.Policy{"rate": "10", "burst": "20"}})
			},
			func() error {
				return tx.PutPlan(&store.Plan{Name: "pro", Policy: store.Policy{"rate": "1000", "hsts": "true"}})
			},
			func() error {
				return tx.CreateTenant(&store.Tenant{Slug: "acme", Name: "Acme Inc.", Plan: "pro",
					Policy: store.Policy{"max-in-flight": "50", "id-path": "/t/acme", "jwt": "on", "jwt-alg": "ES256"}})
			},
			func() error {
				return tx.CreateTenant(&store.Tenant{Slug: "beta", State: store.TenantSuspended, Plan: "free"})
			},
			func() error { return tx.CreateTenant(&store.Tenant{Slug: "gamma", Name: "Gamma"}) },
			func() error { return tx.AddTenantAlias("acme", "acme-eu") },
			func() error { return tx.AddTenantAlias("acme", "acme-us") },
			func() error { return tx.AddBackend(&store.Backend{Tenant: "acme", URL: "http://127.0.0.1:8001"}) },
			func() error {
				return tx.AddBackend(&store.Backend{Tenant: "acme", URL: "http://127.0.0.1:8002", Weight: 3})
			},
			func() error {
				return tx.AddBackend(&store.Backend{Tenant: "acme", Pool: "api", URL: "https://10.0.0.5:9443/v2"})
			},
			func() error { return tx.SetBackendDrained("acme", "default", "http://127.0.0.1:8002", true) },
			func() error {
				return tx.SetPool(&store.Pool{Tenant: "acme", Name: "api", Algorithm: store.HeaderHash, HashKey: "X-User",
					HealthPath: "/healthz", HealthInterval: store.Duration(5 * time.Second), HealthStatus: "200-299",
					MaxFails: 3, Cooldown: store.Duration(30 * time.Second), SlowStart: store.Duration(time.Minute), Sticky: true})
			},
			func() error { return tx.SetPool(&store.Pool{Tenant: "gamma", Name: "empty", Algorithm: store.First}) },
			func() error { return tx.AddBackend(&store.Backend{Tenant: "beta", URL: "http://127.0.0.1:9001"}) },
			func() error { return tx.AddDomain(&store.Domain{Tenant: "acme", Name: "shop.acme.test"}) },
			func() error { return tx.AddDomain(&store.Domain{Tenant: "acme", Name: "www.acme.test"}) },
			func() error { return tx.AddDomain(&store.Domain{Tenant: "beta", Name: "beta.example"}) },
			func() error {
				return tx.UpdateDomain(&store.Domain{Name: "www.acme.test", State: store.DomainActive, NotAfter: time.Now().Add(48 * time.Hour)})
			},
			func() error {
				return tx.UpdateDomain(&store.Domain{Name: "beta.example", State: store.DomainFailed, Reason: "NXDOMAIN"})
			},
			func() error {
				return tx.SetJWTKey(&store.JWTKey{Tenant: "acme", Kind: store.JWTKeyPEM, Data: []byte(pub)})
			},
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		for _, k := range []store.APIKey{{Tenant: "acme", Name: "ci"}, {Tenant: "acme", Name: "deploy", Expires: time.Now().Add(720 * time.Hour).Truncate(time.Second)}} {
			_, id, hash, err := store.NewAPIKeyToken()
			if err != nil {
				return err
			}
			k.ID, k.Hash = id, hash
			if err := tx.CreateAPIKey(&k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
}

// export reads h's document as JSON text, for comparing; the names of
// secret settings that are set are left out (apply never sets a secret).
func (h *harness) export() string {
	h.t.Helper()
	doc, err := h.client.Export(h.t.Context())
	if err != nil {
		h.t.Fatalf("export: %v", err)
	}
	doc.SecretSettingsSet = nil
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

func (h *harness) apply(doc api.ConfigDocument, dryRun, prune bool) (api.ApplyResult, error) {
	return h.client.Apply(h.t.Context(), api.ApplyRequest{Document: doc, DryRun: dryRun, Prune: prune})
}

// Ensure that a rich configuration exported, applied to an empty store
// and exported again gives the same document, that a second apply
// changes nothing, and that secrets and runtime state stay out of it.
func TestApplyRoundTrip(t *testing.T) {
	src, dst := start(t), start(t)
	richFixture(t, src)
	doc, err := src.client.Export(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Tenants) != 3 || len(doc.Plans) != 2 || doc.Settings["base-domain"] != "saas.test" {
		t.Fatalf("export misses parts of the fixture: %+v", doc)
	}
	first := src.export()
	for _, secret := range []string{"c2VjcmV0", "\"hash\"", "fy_", "active", "failed", "NXDOMAIN", "acme-eab-mac-key\":"} {
		if secret == "active" {
			continue // a tenant state; domain states are checked by their reason below
		}
		if strings.Contains(first, secret) {
			t.Errorf("export holds %q:\n%s", secret, first)
		}
	}
	if strings.Join(doc.SecretSettingsSet, ",") != "acme-eab-mac-key" {
		t.Errorf("secret settings set = %v, want acme-eab-mac-key", doc.SecretSettingsSet)
	}
	res, err := dst.apply(doc, false, false)
	if err != nil {
		t.Fatalf("apply into an empty store: %v", err)
	}
	if !res.Applied || len(res.Keys) != 2 || !strings.HasPrefix(res.Keys[0].Token, store.APIKeyPrefix) {
		t.Fatalf("apply result: %+v", res)
	}
	if again := dst.export(); again != first {
		t.Fatalf("export after apply differs:\n--- first\n%s\n--- again\n%s", first, again)
	}
	rev := dst.store.Revision()
	res, err = dst.apply(doc, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Changes); n != 0 || dst.store.Revision() != rev {
		t.Fatalf("second apply changed %d things (revision %d -> %d): %+v", n, rev, dst.store.Revision(), res.Changes)
	}
}

// Ensure that apply is all or nothing: one invalid entry after valid
// changes leaves the store's revision and contents as they were, and the
// error names the entry's field.
func TestApplyAllOrNothing(t *testing.T) {
	h := start(t)
	richFixture(t, h)
	doc, err := h.client.Export(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	before, rev := h.export(), h.store.Revision()
	doc.Settings["idle-timeout"] = "5m"
	doc.Tenants[0].State = "suspended"
	doc.Tenants = append(doc.Tenants, api.ConfigTenant{Slug: "delta"})
	doc.Tenants[1].Pools = append(doc.Tenants[1].Pools, api.ConfigPool{Name: "bad", Algorithm: "fastest"})
	_, err = h.apply(doc, false, false)
	ae := apiError(t, err, http.StatusUnprocessableEntity)
	if ae.Field != "tenants[1].pools[1].algorithm" || !strings.Contains(ae.Msg, "fastest") {
		t.Fatalf("error field %q msg %q, want tenants[1].pools[1].algorithm", ae.Field, ae.Msg)
	}
	if after := h.export(); after != before || h.store.Revision() != rev {
		t.Fatalf("a refused apply changed the store (revision %d -> %d)", rev, h.store.Revision())
	}
	for _, tc := range []struct {
		field string
		edit  func(d *api.ConfigDocument)
	}{
		{"settings.acme-eab-mac-key", func(d *api.ConfigDocument) { d.Settings["acme-eab-mac-key"] = "x" }},
		{"settings.idle-timeout", func(d *api.ConfigDocument) { d.Settings["idle-timeout"] = "forever" }},
		{"tenants[0].policy.rate", func(d *api.ConfigDocument) { d.Tenants[0].Policy["rate"] = "lots" }},
		{"tenants[0].pools[0].backends[0].url", func(d *api.ConfigDocument) { d.Tenants[0].Pools[0].Backends[0].URL = "ftp://x" }},
		{"tenants[2].slug", func(d *api.ConfigDocument) { d.Tenants[2].Slug = d.Tenants[0].Slug }},
		{"tenants[1].domains[0].name", func(d *api.ConfigDocument) { d.Tenants[1].Domains[0].Name = "saas.test" }},
	} {
		d, _ := h.client.Export(t.Context())
		tc.edit(&d)
		_, err := h.apply(d, false, false)
		if ae := apiError(t, err, http.StatusUnprocessableEntity); ae.Field != tc.field {
			t.Errorf("field %q (%s), want %q", ae.Field, ae.Msg, tc.field)
		}
	}
	if after := h.export(); after != before || h.store.Revision() != rev {
		t.Fatalf("a refused apply changed the store")
	}
}

// Ensure that a dry run answers the changes and keeps none of them.
func TestApplyDryRun(t *testing.T) {
	h := start(t)
	richFixture(t, h)
	doc, _ := h.client.Export(t.Context())
	before, rev := h.export(), h.store.Revision()
	doc.Tenants[0].Pools[1].Backends[0].Weight = 7 // pools sorted: api, default
	doc.Tenants = append(doc.Tenants, api.ConfigTenant{Slug: "delta", APIKeys: []api.ConfigAPIKey{{Name: "k"}}})
	res, err := h.apply(doc, true, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied || !res.DryRun || len(res.Keys) != 0 {
		t.Fatalf("dry run result: %+v", res)
	}
	want := map[string]bool{"change backend acme/default http://127.0.0.1:8001": false, "create tenant delta": false, "create api-key delta k": false}
	for _, c := range res.Changes {
		if _, ok := want[c.Op+" "+c.Kind+" "+c.Name]; ok {
			want[c.Op+" "+c.Kind+" "+c.Name] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("dry run did not list %q: %+v", k, res.Changes)
		}
	}
	if h.export() != before || h.store.Revision() != rev {
		t.Fatal("a dry run changed the store")
	}
}

// Ensure that what the file lacks is kept (and listed) without --prune,
// and removed with it.
func TestApplyPrune(t *testing.T) {
	h := start(t)
	richFixture(t, h)
	doc, _ := h.client.Export(t.Context())
	doc.Plans = doc.Plans[1:]                           // drop free (beta uses it, but beta goes too)
	doc.Tenants = doc.Tenants[:1]                       // drop beta and gamma
	doc.Tenants[0].Aliases = doc.Tenants[0].Aliases[:1] // drop acme-us
	delete(doc.Tenants[0].Policy, "max-in-flight")
	doc.Tenants[0].Pools[1].Backends = doc.Tenants[0].Pools[1].Backends[:1] // default: drop 8002
	doc.Tenants[0].Domains = doc.Tenants[0].Domains[:1]
	doc.Tenants[0].APIKeys = nil
	doc.Tenants[0].JWTKey = nil
	delete(doc.Settings, "idle-timeout")
	before := h.export()
	res, err := h.apply(doc, false, false)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range res.Changes {
		if c.Op != api.ChangeKeep {
			t.Errorf("without --prune: %+v", c)
		}
		n++
	}
	if n != 11 || h.export() != before {
		t.Fatalf("without --prune: %d kept (want 11), store changed: %v\n%+v", n, h.export() != before, res.Changes)
	}
	if _, err := h.apply(doc, false, true); err != nil {
		t.Fatal(err)
	}
	got, _ := h.client.Export(t.Context())
	got.SecretSettingsSet, doc.SecretSettingsSet = nil, nil
	b1, _ := json.Marshal(got)
	b2, _ := json.Marshal(doc)
	if string(b1) != string(b2) {
		t.Fatalf("after --prune the store is not the file:\n%s\n%s", b1, b2)
	}
}

// Ensure that an HS256 secret is never exported, that apply keeps a
// stored one, and that apply refuses a file that needs one the store
// lacks, naming the jwt_key field.
func TestApplyHS256SecretStaysOut(t *testing.T) {
	src, dst := start(t), start(t)
	secret := strings.Repeat("s3cr3t-", 8)
	err := src.store.Update(t.Context(), "test", func(tx store.Tx) error {
		if err := tx.CreateTenant(&store.Tenant{Slug: "acme"}); err != nil {
			return err
		}
		return tx.SetJWTKey(&store.JWTKey{Tenant: "acme", Kind: store.JWTKeySecret, Data: []byte(secret)})
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := src.client.Export(t.Context())
	if b, _ := json.Marshal(doc); strings.Contains(string(b), "s3cr3t") || doc.Tenants[0].JWTKey == nil || doc.Tenants[0].JWTKey.Kind != "hs256-secret" {
		t.Fatalf("export: %s", b)
	}
	if res, err := src.apply(doc, false, false); err != nil || len(res.Changes) != 0 {
		t.Fatalf("apply onto the same store: %v %+v", err, res.Changes)
	}
	_, err = dst.apply(doc, false, false)
	if ae := apiError(t, err, http.StatusUnprocessableEntity); ae.Field != "tenants[0].jwt_key.kind" {
		t.Fatalf("field %q (%s)", ae.Field, ae.Msg)
	}
	if dst.store.Revision() != 0 {
		t.Fatalf("a refused apply moved the revision to %d", dst.store.Revision())
	}
	doc.Tenants[0].JWTKey.Data = secret
	_, err = src.apply(doc, false, false)
	if ae := apiError(t, err, http.StatusUnprocessableEntity); ae.Field != "tenants[0].jwt_key.data" {
		t.Fatalf("a secret in the file: field %q (%s)", ae.Field, ae.Msg)
	}
}

package admin

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

func TestStatus(t *testing.T) {
	// Ensure that status joins the appliance's Info with the store's revision and counts.
	started := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := newHarness(t, func(o *Options) {
		o.Info = func() Info {
			return Info{Version: "1.2.3", Commit: "abc", Started: started, TableRevision: 1,
				TableError: "pool empty", DataDir: "/var/lib/foyer", Listeners: map[string]string{"http": ":80"}}
		}
		o.Now = func() time.Time { return started.Add(90 * time.Second) }
	}).serve()
	h.mustTenant("acme")
	if _, err := h.client.AddBackend(t.Context(), "acme", "", api.AddBackendRequest{URL: "http://127.0.0.1:8001"}); err != nil {
		t.Fatal(err)
	}
	st, err := h.client.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := api.Status{Version: "1.2.3", Commit: "abc", Started: started, UptimeSeconds: 90,
		Listeners: map[string]string{"http": ":80"}, Revision: 2, TableRevision: 1, TableError: "pool empty",
		Counts: api.Counts{Tenants: 1, Backends: 1}, DataDir: "/var/lib/foyer"}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("status\n got %+v\nwant %+v", st, want)
	}
}

func TestSettings(t *testing.T) {
	// Ensure that settings are listed, read and set (normalised) through the API.
	h := start(t)
	all, err := h.client.Settings(t.Context())
	if err != nil || len(all) == 0 {
		t.Fatalf("Settings: %d, %v", len(all), err)
	}
	got, err := h.client.SetSetting(t.Context(), "base-domain", "SaaS.Example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.Key != "base-domain" || got.Value != "saas.example.com" || got.Doc == "" {
		t.Errorf("SetSetting answered %+v", got)
	}
	if got, err := h.client.Setting(t.Context(), "base-domain"); err != nil || got.Value != "saas.example.com" {
		t.Errorf("Setting = %+v, %v", got, err)
	}
	if h.store.Revision() != 1 {
		t.Errorf("revision %d after one setting, want 1", h.store.Revision())
	}
}

func TestTenantLifecycle(t *testing.T) {
	// Ensure that a tenant is created, shown with its hosts, changed and deleted.
	h := start(t)
	ctx := t.Context()
	if _, err := h.client.SetSetting(ctx, "base-domain", "saas.example.com"); err != nil {
		t.Fatal(err)
	}
	tn, err := h.client.CreateTenant(ctx, api.CreateTenantRequest{Slug: "acme", Name: "Acme Inc."})
	if err != nil || tn.ID == 0 || tn.State != "active" || tn.Name != "Acme Inc." {
		t.Fatalf("CreateTenant = %+v, %v", tn, err)
	}
	if _, err := h.client.AddDomain(ctx, "acme", "shop.acme.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.AddBackend(ctx, "acme", "blue", api.AddBackendRequest{URL: "http://10.0.0.1:80", Weight: 3}); err != nil {
		t.Fatal(err)
	}
	d, err := h.client.Tenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"acme.saas.example.com", "shop.acme.com"}; !reflect.DeepEqual(d.Hosts, want) {
		t.Errorf("hosts %v, want %v", d.Hosts, want)
	}
	if len(d.Pools) != 1 || d.Pools[0] != (api.Pool{Name: "blue", Algorithm: "round_robin"}) ||
		len(d.Backends) != 1 || d.Backends[0].Weight != 3 || len(d.Domains) != 1 {
		t.Errorf("detail %+v", d)
	}
	name, state := "Acme", "suspended"
	up, err := h.client.UpdateTenant(ctx, "acme", api.UpdateTenantRequest{Name: &name, State: &state})
	if err != nil || up.Name != "Acme" || up.State != "suspended" || up.ID != tn.ID {
		t.Fatalf("UpdateTenant = %+v, %v", up, err)
	}
	err = h.client.DeleteTenant(ctx, "acme", false)
	apiError(t, err, http.StatusConflict)
	if err := h.client.DeleteTenant(ctx, "acme", true); err != nil {
		t.Fatalf("forced delete: %v", err)
	}
	_, err = h.client.Tenant(ctx, "acme")
	apiError(t, err, http.StatusNotFound)
	if ds := must(h.client.Domains(ctx, "")); len(ds) != 0 {
		t.Errorf("domains left after forced delete: %v", ds)
	}
}

func TestTenantPagination(t *testing.T) {
	// Ensure that tenants are paged in slug order with a cursor, and the last page has no next.
	h := start(t)
	slugs := []string{"a", "b", "c", "d", "e", "f", "g"}
	for _, s := range slugs {
		h.mustTenant(s)
	}
	var got []string
	var pages int
	cursor := ""
	for {
		page, err := h.client.Tenants(t.Context(), 3, cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, tn := range page.Items {
			got = append(got, tn.Slug)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if pages != 3 || !reflect.DeepEqual(got, slugs) {
		t.Errorf("%d pages of %v, want 3 pages of %v", pages, got, slugs)
	}
	if all := must(h.client.AllTenants(t.Context())); len(all) != len(slugs) {
		t.Errorf("AllTenants: %d, want %d", len(all), len(slugs))
	}
	if page := must(h.client.Tenants(t.Context(), 7, "")); page.Next != "" || len(page.Items) != 7 {
		t.Errorf("exact page: next %q, %d items; want no next", page.Next, len(page.Items))
	}
}

func TestBackends(t *testing.T) {
	// Ensure that backends are added to pools, listed and removed by URL.
	h := start(t)
	ctx := t.Context()
	h.mustTenant("acme")
	b, err := h.client.AddBackend(ctx, "acme", "", api.AddBackendRequest{URL: "HTTP://127.0.0.1:8001/"})
	if err != nil || b.Pool != "default" || b.URL != "http://127.0.0.1:8001" || b.Weight != 1 {
		t.Fatalf("AddBackend = %+v, %v", b, err)
	}
	if bs := must(h.client.Backends(ctx, "acme")); len(bs) != 1 || bs[0].ID != b.ID {
		t.Errorf("Backends = %+v", bs)
	}
	if err := h.client.RemoveBackend(ctx, "acme", "", "http://127.0.0.1:8001"); err != nil {
		t.Fatal(err)
	}
	if bs := must(h.client.Backends(ctx, "acme")); bs == nil || len(bs) != 0 {
		t.Errorf("Backends after remove = %#v, want []", bs)
	}
	err = h.client.RemoveBackend(ctx, "acme", "", "http://127.0.0.1:8001")
	apiError(t, err, http.StatusNotFound)
}

func TestDomains(t *testing.T) {
	// Ensure that domains are added, listed per tenant and in all, read and removed.
	h := start(t)
	ctx := t.Context()
	h.mustTenant("acme")
	h.mustTenant("blue")
	d, err := h.client.AddDomain(ctx, "acme", "Shop.Acme.COM")
	if err != nil || d.Name != "shop.acme.com" || d.State != "pending_dns" || d.Tenant != "acme" {
		t.Fatalf("AddDomain = %+v, %v", d, err)
	}
	if _, err := h.client.AddDomain(ctx, "blue", "blue.example.org"); err != nil {
		t.Fatal(err)
	}
	if ds := must(h.client.Domains(ctx, "acme")); len(ds) != 1 || ds[0].Name != "shop.acme.com" {
		t.Errorf("Domains(acme) = %+v", ds)
	}
	if ds := must(h.client.Domains(ctx, "")); len(ds) != 2 {
		t.Errorf("Domains() = %+v, want 2", ds)
	}
	if got := must(h.client.Domain(ctx, "shop.acme.com")); got.Tenant != "acme" {
		t.Errorf("Domain = %+v", got)
	}
	_, err = h.client.Domains(ctx, "nobody")
	apiError(t, err, http.StatusNotFound)
	if err := h.client.RemoveDomain(ctx, "shop.acme.com"); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.Domain(ctx, "shop.acme.com")
	apiError(t, err, http.StatusNotFound)
}

func TestCerts(t *testing.T) {
	// Ensure that a certificate is imported, listed without its key, and removed.
	h := start(t)
	ctx := t.Context()
	certPEM, keyPEM := selfSigned(t, "shop.acme.com")
	c, err := h.client.AddCert(ctx, api.AddCertRequest{Name: "shop.acme.com", CertPEM: certPEM, KeyPEM: keyPEM})
	if err != nil || c.Name != "shop.acme.com" || !reflect.DeepEqual(c.Names, []string{"shop.acme.com"}) {
		t.Fatalf("AddCert = %+v, %v", c, err)
	}
	if cs := must(h.client.Certs(ctx)); len(cs) != 1 || cs[0].NotAfter.IsZero() {
		t.Errorf("Certs = %+v", cs)
	}
	_, body := h.raw("GET", "/v1/certs", nil)
	if strings.Contains(string(body), "PRIVATE KEY") || strings.Contains(string(body), "key_pem") {
		t.Errorf("GET /v1/certs shows the key: %s", body)
	}
	if err := h.client.RemoveCert(ctx, "shop.acme.com"); err != nil {
		t.Fatal(err)
	}
	if cs := must(h.client.Certs(ctx)); len(cs) != 0 {
		t.Errorf("Certs after remove = %+v", cs)
	}
}

func TestAuditCursor(t *testing.T) {
	// Ensure that the audit trail pages newest first and the cursor continues before it.
	h := start(t)
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		h.mustTenant(s)
	}
	var seqs []uint64
	var actions []string
	cursor := ""
	for range 10 {
		page, err := h.client.Audit(t.Context(), 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			seqs = append(seqs, e.Seq)
			actions = append(actions, e.Actions...)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if want := []uint64{5, 4, 3, 2, 1}; !reflect.DeepEqual(seqs, want) {
		t.Errorf("seqs %v, want %v", seqs, want)
	}
	if actions[0] != "tenant.create e" {
		t.Errorf("newest action %q, want tenant.create e", actions[0])
	}
}

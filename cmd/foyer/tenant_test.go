package main

import (
	"strings"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/store"
)

// Ensure that a tenant can be added, listed, shown, renamed, suspended,
// resumed and removed, each write confirmed in one line and in the store.
func TestTenantLifecycle(t *testing.T) {
	f := newCLIFixture(t)
	ctx := t.Context()
	if out := f.mustCLI("tenant", "add", "acme", "--name", "Acme Inc."); out != "tenant acme added\n" {
		t.Fatalf("tenant add: %q", out)
	}
	f.mustCLI("tenant", "add", "beta")
	if tn, err := f.store.Tenant(ctx, "acme"); err != nil || tn.Name != "Acme Inc." {
		t.Fatalf("store after add: %+v %v", tn, err)
	}
	wantLines(t, f.mustCLI("tenant", "list"), "SLUG  NAME       STATE   CREATED")
	if out := f.mustCLI("tenant", "set", "acme", "--name", "Acme Corp"); out != "tenant acme renamed to \"Acme Corp\"\n" {
		t.Fatalf("tenant set: %q", out)
	}
	if out := f.mustCLI("tenant", "suspend", "acme"); out != "tenant acme is suspended\n" {
		t.Fatalf("tenant suspend: %q", out)
	}
	if tn, _ := f.store.Tenant(ctx, "acme"); tn.State != store.TenantSuspended || tn.Name != "Acme Corp" {
		t.Fatalf("store after suspend: %+v", tn)
	}
	if out := f.mustCLI("tenant", "resume", "acme"); out != "tenant acme is active\n" {
		t.Fatalf("tenant resume: %q", out)
	}
	if out := f.mustCLI("tenant", "rm", "beta"); out != "tenant beta removed\n" {
		t.Fatalf("tenant rm: %q", out)
	}
	var ts []api.Tenant
	f.mustJSON(&ts, "tenant", "list")
	if len(ts) != 1 || ts[0].Slug != "acme" || ts[0].State != "active" {
		t.Fatalf("tenant list --json: %+v", ts)
	}
}

// Ensure that tenant list shows an aligned table, and [] as JSON when empty.
func TestTenantListOutput(t *testing.T) {
	f := newCLIFixture(t)
	if out := f.mustCLI("tenant", "list", "--json"); out != "[]\n" {
		t.Fatalf("empty tenant list --json: %q", out)
	}
	f.mustCLI("tenant", "add", "acme", "--name", "Acme Inc.")
	f.mustCLI("tenant", "add", "b")
	lines := strings.Split(strings.TrimSpace(f.mustCLI("tenant", "list")), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "acme  Acme Inc.  active  ") || !strings.HasPrefix(lines[2], "b     b          active  ") {
		t.Fatalf("tenant list:\n%s", strings.Join(lines, "\n"))
	}
}

// Ensure that tenant show lists the tenant's pools, backends, domains and
// hosts, and that --json is the API's TenantDetail.
func TestTenantShow(t *testing.T) {
	f := newCLIFixture(t)
	f.mustCLI("settings", "set", "base-domain", "example.test")
	f.mustCLI("tenant", "add", "acme", "--name", "Acme Inc.")
	f.mustCLI("backend", "add", "acme", "http://127.0.0.1:9001", "--weight", "3")
	f.mustCLI("domain", "add", "acme", "shop.acme.test")
	out := f.mustCLI("tenant", "show", "acme")
	wantLines(t, out, "slug     acme", "name     Acme Inc.", "state    active",
		"hosts    acme.example.test, shop.acme.test",
		"POOL     ALGORITHM", "POOL     URL                    WEIGHT", "default  http://127.0.0.1:9001  3")
	if !strings.Contains(out, "shop.acme.test  pending_dns") {
		t.Errorf("tenant show lacks the domain's state:\n%s", out)
	}
	var d api.TenantDetail
	f.mustJSON(&d, "tenant", "show", "acme")
	if d.Slug != "acme" || len(d.Pools) != 1 || len(d.Backends) != 1 || len(d.Domains) != 1 || len(d.Hosts) != 2 {
		t.Fatalf("tenant show --json: %+v", d)
	}
}

// Ensure that the daemon's refusals reach the operator with their hint,
// and that --force removes a tenant with its backends and domains.
func TestTenantRefusals(t *testing.T) {
	f := newCLIFixture(t)
	f.mustCLI("tenant", "add", "acme")
	f.mustCLI("backend", "add", "acme", "http://127.0.0.1:9001")
	f.mustFail("tenant.slug", "tenant", "add", "Bad_Slug")
	f.mustFail("already exists", "tenant", "add", "acme")
	f.mustFail("not found", "tenant", "show", "nobody")
	errOut := f.mustFail("acme", "tenant", "rm", "acme")
	if !strings.Contains(errOut, "\nhint: ") || !strings.Contains(errOut, "--force") {
		t.Fatalf("tenant rm with backends: %q", errOut)
	}
	f.mustCLI("tenant", "rm", "acme", "--force")
	if ts, _ := f.store.ListTenants(t.Context()); len(ts) != 0 {
		t.Fatalf("tenants after rm --force: %+v", ts)
	}
}

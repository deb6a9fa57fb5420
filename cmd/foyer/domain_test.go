package main

import (
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
)

// Ensure that custom domains are added, listed (all or one tenant's) with
// their state, and removed.
func TestDomainCommands(t *testing.T) {
	f := newCLIFixture(t)
	f.mustCLI("tenant", "add", "acme")
	f.mustCLI("tenant", "add", "beta")
	f.mustCLI("settings", "set", "base-domain", "saas.test")
	f.mustCLI("settings", "set", "public-ips", "203.0.113.7,2001:db8::7")
	out := f.mustCLI("domain", "add", "acme", "Shop.Acme.test")
	d, err := f.store.Domain(t.Context(), "shop.acme.test")
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, out,
		"domain shop.acme.test added to acme (pending_dns)",
		"Point it here with one of:",
		"  shop.acme.test  CNAME  acme.saas.test",
		"  shop.acme.test  A  203.0.113.7",
		"  shop.acme.test  AAAA  2001:db8::7",
		"Optionally, to verify ownership before the DNS switch:",
		"  _foyer-challenge.shop.acme.test  TXT  \""+d.Token+"\"",
		"Then: foyer domain check shop.acme.test")
	f.mustCLI("domain", "add", "beta", "www.beta.test")
	wantLines(t, f.mustCLI("domain", "list"),
		"TENANT  DOMAIN          STATE        REASON           HINT",
		"acme    shop.acme.test  pending_dns  not checked yet  point its DNS here, then `foyer domain check shop.acme.test`",
		"beta    www.beta.test   pending_dns  not checked yet  point its DNS here, then `foyer domain check www.beta.test`")
	var ds []api.Domain
	f.mustJSON(&ds, "domain", "list", "beta")
	if len(ds) != 1 || ds[0].Name != "www.beta.test" || ds[0].State != "pending_dns" {
		t.Fatalf("domain list beta --json: %+v", ds)
	}
	if out := f.mustCLI("domain", "rm", "www.beta.test"); out != "domain www.beta.test removed\n" {
		t.Fatalf("domain rm: %q", out)
	}
	if stored, _ := f.store.ListDomains(t.Context(), ""); len(stored) != 1 || stored[0].Name != "shop.acme.test" {
		t.Fatalf("store domains: %+v", stored)
	}
	f.mustFail("domain.name", "domain", "add", "acme", "not a domain")
	f.mustFail("not found", "domain", "rm", "www.beta.test")
}

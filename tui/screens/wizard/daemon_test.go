package wizard

import (
	"context"
	"testing"

	"github.com/foyerhq/foyer/appliance/admin/api"
	"github.com/foyerhq/foyer/tui/data"
	"github.com/foyerhq/foyer/tui/screen"
	"github.com/foyerhq/foyer/tui/screens/forms/formtest"
)

// Ensure that, against the real daemon, the wizard adds the typed domain
// to the tenant and shows the records from the daemon's answer (the CNAME
// to the configured target and the TXT token, each on one line), that the
// domain is then pending, that the live check shows a cross per failed
// record (c runs it again), and that esc leaves it pending; and that a
// domain the daemon refuses (already taken) is shown inline with what was
// typed kept.
func TestWizardAgainstDaemon(t *testing.T) {
	CheckEvery = 0
	c := formtest.Daemon(t)
	ctx := context.Background()
	if _, err := c.CreateTenant(ctx, api.CreateTenantRequest{Slug: "acme"}); err != nil {
		t.Fatal(err)
	}
	// Checks ask a DNS server on loopback where none listens: no query
	// leaves the machine, and every DNS check fails at once.
	for k, v := range map[string]string{"cname-target": "edge.example.test", "dns-resolver": "127.0.0.1:9"} {
		if _, err := c.SetSetting(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	env := formtest.Env(&data.Model{}, c, false)
	tm := formtest.Run(t, formtest.NewHost(env, []screen.Entry{Entry}, "add-domain", "acme"), 100, 30)
	tm.Type("Shop.Customer.Test")
	tm.Press("enter")
	tm.WaitFor("shop.customer.test  CNAME edge.example.test")
	d, err := c.Domain(ctx, "shop.customer.test")
	if err != nil || d.State != "pending_dns" || d.Tenant != "acme" || d.Token == "" {
		t.Fatalf("domain = %+v, %v; want acme's, pending_dns, with a token", d, err)
	}
	tm.WaitFor("_foyer-challenge.shop.customer.test  TXT   " + d.Token)
	tm.Press("enter") // the records are "set": the live check runs
	tm.WaitFor("checked 1×")
	tm.WaitFor("✗ CNAME")
	tm.Press("c")
	tm.WaitFor("checked 2×")
	tm.Press("esc")
	tm.WaitFor("(closed)")
	tm.Quit()
	if d, err := c.Domain(ctx, "shop.customer.test"); err != nil || d.State != "pending_dns" {
		t.Fatalf("after esc: %+v, %v; want it kept, pending", d, err)
	}

	tm = formtest.Run(t, formtest.NewHost(env, []screen.Entry{Entry}, "add-domain", "acme"), 100, 30)
	tm.Type("shop.customer.test")
	tm.Press("enter")
	tm.WaitFor("already")
	tm.WaitFor("› Domain  shop.customer.test")
	tm.Quit()
}
